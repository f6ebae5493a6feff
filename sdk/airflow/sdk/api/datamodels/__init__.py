"""`airflow.sdk.api.datamodels`: the generated enums DAG code imports."""
