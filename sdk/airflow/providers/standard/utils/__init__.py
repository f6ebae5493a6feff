"""`airflow.providers.standard.utils`: weekday."""
