"""`airflow.utils`: task_group, trigger_rule, dates and edgemodifier."""
