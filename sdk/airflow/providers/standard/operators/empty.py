"""`airflow.providers.standard.operators.empty`: EmptyOperator."""
from leoflow.operators import EmptyOperator

__all__ = ["EmptyOperator"]
