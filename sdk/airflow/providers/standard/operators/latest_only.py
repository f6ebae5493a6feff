"""`airflow.providers.standard.operators.latest_only`: LatestOnlyOperator."""
from leoflow.branch_operators import LatestOnlyOperator

__all__ = ["LatestOnlyOperator"]
