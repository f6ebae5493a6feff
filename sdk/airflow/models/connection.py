"""`airflow.models.connection`: Connection."""
from leoflow.models import Connection

__all__ = ["Connection"]
