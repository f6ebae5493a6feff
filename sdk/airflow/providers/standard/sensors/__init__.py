"""`airflow.providers.standard.sensors`: python and bash (poke mode)."""
