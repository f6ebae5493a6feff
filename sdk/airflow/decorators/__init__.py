"""`airflow.decorators` (Airflow 2 paths): dag, task, task_group."""
from leoflow.dag import dag
from leoflow.decorators import setup, task, teardown
from leoflow.errors import refuse_missing_names
from leoflow.taskgroup import task_group

__getattr__ = refuse_missing_names("airflow.decorators")
__all__ = ["dag", "setup", "task", "task_group", "teardown"]
