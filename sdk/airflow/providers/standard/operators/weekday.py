"""`airflow.providers.standard.operators.weekday`: BranchDayOfWeekOperator."""
from leoflow.branch_operators import BranchDayOfWeekOperator

__all__ = ["BranchDayOfWeekOperator"]
