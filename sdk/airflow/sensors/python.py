"""`airflow.sensors.python`: PythonSensor."""
from leoflow.sensors import PythonSensor

__all__ = ["PythonSensor"]
