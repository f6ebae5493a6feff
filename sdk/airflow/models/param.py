"""`airflow.models.param`: Param and ParamsDict."""
from leoflow.params import Param, ParamsDict

__all__ = ["Param", "ParamsDict"]
