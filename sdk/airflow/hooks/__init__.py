"""`airflow.hooks`: BaseHook (hooks for external systems are not provided)."""
