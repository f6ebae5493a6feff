"""`airflow.operators.trigger_dagrun` (Airflow 2): TriggerDagRunOperator (refused when created until
the engine supports it)."""
from leoflow.trigger_dagrun import TriggerDagRunOperator

__all__ = ["TriggerDagRunOperator"]
