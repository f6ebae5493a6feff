"""`airflow.models.xcom_arg`: XComArg."""
from leoflow.xcom_arg import XComArg

__all__ = ["XComArg"]
