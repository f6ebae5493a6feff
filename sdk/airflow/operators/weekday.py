"""`airflow.operators.weekday` (Airflow 2): BranchDayOfWeekOperator."""
from leoflow.branch_operators import BranchDayOfWeekOperator

__all__ = ["BranchDayOfWeekOperator"]
