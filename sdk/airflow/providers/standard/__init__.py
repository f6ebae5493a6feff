"""`airflow.providers.standard`: the operators Airflow 3 ships in its standard provider."""
