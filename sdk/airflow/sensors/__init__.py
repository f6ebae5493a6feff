"""`airflow.sensors` (Airflow 2 paths) for the sensors Leoflow Lite provides (poke mode)."""
