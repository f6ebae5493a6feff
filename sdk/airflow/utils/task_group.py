"""`airflow.utils.task_group`: TaskGroup."""
from leoflow.taskgroup import TaskGroup, task_group

__all__ = ["TaskGroup", "task_group"]
