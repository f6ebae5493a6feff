"""`airflow.providers.standard.sensors.date_time`: DateTimeSensor."""
from leoflow.sensors import DateTimeSensor

__all__ = ["DateTimeSensor"]
