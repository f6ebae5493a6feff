"""`airflow.utils`: task_group, trigger_rule, dates, edgemodifier and context."""
