"""`airflow.sensors.base`: BaseSensorOperator and PokeReturnValue."""
from leoflow.sensors import BaseSensorOperator, PokeReturnValue

__all__ = ["BaseSensorOperator", "PokeReturnValue"]
