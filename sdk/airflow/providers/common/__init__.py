"""`airflow.providers.common`: only the `compat` shims providers and DAGs import."""
