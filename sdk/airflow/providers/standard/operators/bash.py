"""`airflow.providers.standard.operators.bash`: BashOperator."""
from leoflow.operators import BashOperator

__all__ = ["BashOperator"]
