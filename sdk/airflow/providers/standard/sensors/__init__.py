"""`airflow.providers.standard.sensors`: python, bash, filesystem, time_delta and date_time."""
