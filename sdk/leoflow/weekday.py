"""Airflow's WeekDay enum (ISO day numbers, Monday = 1) and its validation of week_day arguments."""
from enum import IntEnum, unique


@unique
class WeekDay(IntEnum):
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7

    @classmethod
    def get_weekday_number(cls, week_day_str):
        """The ISO number of a day's full name, in any case ("Sunday" -> 7)."""
        name = week_day_str.upper()
        if name not in cls.__members__:
            raise AttributeError(f'Invalid Week Day passed: "{week_day_str}"')
        return cls[name]

    @classmethod
    def convert(cls, day):
        return day if isinstance(day, WeekDay) else cls.get_weekday_number(week_day_str=day)

    @classmethod
    def validate_week_day(cls, week_day):
        """The set of ISO day numbers a week_day argument (a name, a WeekDay, or an iterable of them) means."""
        if isinstance(week_day, (str, WeekDay)):
            week_day = {week_day}
        elif not hasattr(week_day, "__iter__"):
            raise TypeError(f"Unsupported Type for week_day parameter: {type(week_day)}."
                            "Input should be iterable type:str, set, list, dict or Weekday enum type")
        return {cls.convert(item) for item in week_day}
