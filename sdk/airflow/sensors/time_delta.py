"""`airflow.sensors.time_delta` (Airflow 2): TimeDeltaSensor."""
from leoflow.sensors import TimeDeltaSensor

__all__ = ["TimeDeltaSensor"]
