"""`airflow.sdk.api.datamodels._generated`: TriggerRule and WeightRule, as Airflow's example DAGs import them."""
from leoflow.errors import refuse_missing_names
from leoflow.trigger_rule import TriggerRule, WeightRule

__getattr__ = refuse_missing_names("airflow.sdk.api.datamodels._generated")
__all__ = ["TriggerRule", "WeightRule"]
