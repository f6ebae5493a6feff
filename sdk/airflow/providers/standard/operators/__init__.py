"""`airflow.providers.standard.operators`: bash, python and empty."""
