"""`airflow.operators.python`: PythonOperator, BranchPythonOperator, ShortCircuitOperator."""
from leoflow.context import get_current_context
from leoflow.operators import BranchPythonOperator, PythonOperator, ShortCircuitOperator

__all__ = ["BranchPythonOperator", "PythonOperator", "ShortCircuitOperator", "get_current_context"]
