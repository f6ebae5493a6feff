"""`airflow.sensors.date_time` (Airflow 2): DateTimeSensor."""
from leoflow.sensors import DateTimeSensor

__all__ = ["DateTimeSensor"]
