"""`airflow.models` (Airflow 2 paths): DAG, BaseOperator, Variable, Param, Connection."""
from leoflow.baseoperator import BaseOperator
from leoflow.dag import DAG
from leoflow.errors import refuse_missing_names
from leoflow.models import Connection, Variable
from leoflow.params import Param, ParamsDict
from leoflow.xcom_arg import XComArg

__getattr__ = refuse_missing_names("airflow.models")
__all__ = ["BaseOperator", "Connection", "DAG", "Param", "ParamsDict", "Variable", "XComArg"]
