"""`airflow.sdk.api`: only the generated data models Airflow's example DAGs import."""
