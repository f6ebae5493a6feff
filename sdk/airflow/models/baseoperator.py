"""`airflow.models.baseoperator`: BaseOperator, chain, chain_linear, cross_downstream."""
from leoflow.baseoperator import BaseOperator, chain, chain_linear, cross_downstream

__all__ = ["BaseOperator", "chain", "chain_linear", "cross_downstream"]
