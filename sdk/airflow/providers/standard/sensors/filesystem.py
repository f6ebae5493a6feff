"""`airflow.providers.standard.sensors.filesystem`: FileSensor."""
from leoflow.sensors import FileSensor

__all__ = ["FileSensor"]
