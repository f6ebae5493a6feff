"""`airflow.providers`: only the `standard` provider exists in Leoflow Lite."""
