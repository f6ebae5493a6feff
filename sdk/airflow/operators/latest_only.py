"""`airflow.operators.latest_only` (Airflow 2): LatestOnlyOperator."""
from leoflow.branch_operators import LatestOnlyOperator

__all__ = ["LatestOnlyOperator"]
