"""`airflow.operators` (Airflow 2 paths) for the operators Leoflow Lite provides."""
