"""`airflow.providers.standard.sensors.bash`: BashSensor."""
from leoflow.sensors import BashSensor

__all__ = ["BashSensor"]
