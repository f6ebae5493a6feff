"""`airflow.providers.standard.operators`: bash, python, empty, branch helpers, latest_only, trigger_dagrun."""
