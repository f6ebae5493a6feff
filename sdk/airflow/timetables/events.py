"""`airflow.timetables.events`: EventsTimetable (refused when created until the engine schedules by it)."""
from leoflow.timetables import EventsTimetable

__all__ = ["EventsTimetable"]
