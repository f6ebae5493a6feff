"""`airflow.timetables`: the timetables Lite knows (trigger and events); custom Timetable
subclasses are refused (`airflow.timetables.base` does not exist here)."""
