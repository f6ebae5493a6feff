"""`airflow.datasets` (Airflow 2): Dataset, refused when created."""
from leoflow.assets import Dataset

__all__ = ["Dataset"]
