"""`airflow.models.dag`: DAG and the dag decorator."""
from leoflow.dag import DAG, dag

__all__ = ["DAG", "dag"]
