"""`airflow.providers.standard.sensors.time_delta`: TimeDeltaSensor."""
from leoflow.sensors import TimeDeltaSensor

__all__ = ["TimeDeltaSensor"]
