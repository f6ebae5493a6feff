"""`airflow.providers.standard.operators.trigger_dagrun`: TriggerDagRunOperator (refused when created
until the engine supports it)."""
from leoflow.trigger_dagrun import TriggerDagRunOperator

__all__ = ["TriggerDagRunOperator"]
