"""`airflow.timetables.trigger`: CronTriggerTimetable, DeltaTriggerTimetable, MultipleCronTriggerTimetable
(refused when created until the engine schedules by them)."""
from leoflow.timetables import CronTriggerTimetable, DeltaTriggerTimetable, MultipleCronTriggerTimetable

__all__ = ["CronTriggerTimetable", "DeltaTriggerTimetable", "MultipleCronTriggerTimetable"]
