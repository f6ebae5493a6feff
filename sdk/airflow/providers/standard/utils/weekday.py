"""`airflow.providers.standard.utils.weekday`: WeekDay."""
from leoflow.weekday import WeekDay

__all__ = ["WeekDay"]
