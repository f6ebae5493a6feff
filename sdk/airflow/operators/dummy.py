"""`airflow.operators.dummy` (Airflow 2): DummyOperator, the old name of EmptyOperator."""
from leoflow.operators import EmptyOperator


class DummyOperator(EmptyOperator):
    """Airflow 2's name for EmptyOperator."""


__all__ = ["DummyOperator"]
