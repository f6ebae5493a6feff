"""`airflow.utils.weekday` (Airflow 2): WeekDay."""
from leoflow.weekday import WeekDay

__all__ = ["WeekDay"]
