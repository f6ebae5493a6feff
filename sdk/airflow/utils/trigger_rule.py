"""`airflow.utils.trigger_rule`: TriggerRule."""
from leoflow.trigger_rule import TriggerRule

__all__ = ["TriggerRule"]
