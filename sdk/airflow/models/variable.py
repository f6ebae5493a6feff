"""`airflow.models.variable`: Variable."""
from leoflow.models import Variable

__all__ = ["Variable"]
