"""`airflow.sensors.filesystem` (Airflow 2): FileSensor."""
from leoflow.sensors import FileSensor

__all__ = ["FileSensor"]
