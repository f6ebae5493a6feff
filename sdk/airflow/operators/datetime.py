"""`airflow.operators.datetime` (Airflow 2): BranchDateTimeOperator."""
from leoflow.branch_operators import BranchDateTimeOperator, target_times_as_dates

__all__ = ["BranchDateTimeOperator", "target_times_as_dates"]
