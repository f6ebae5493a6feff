"""`airflow.utils.context`: Context (the dict a task's execute() receives) and get_current_context."""
from leoflow.context import get_current_context

Context = dict

__all__ = ["Context", "get_current_context"]
