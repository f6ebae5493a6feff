"""`airflow.providers.common.compat`: the import shims that work on Airflow 2 and 3."""
