"""Five-field cron expressions evaluated in UTC, as the engine's scheduler does: the next fire time
after an instant. Used at run time by operators that reason about a DAG's schedule (LatestOnlyOperator)."""
from datetime import timedelta

_MONTHS = {name: index for index, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_WEEKDAYS = {name: index for index, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
# (lowest, highest, names) of minute, hour, day of month, month, day of week.
_FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 7, _WEEKDAYS))


def _value(text, names, expression):
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ValueError(f"Invalid timetable expression: {expression!r} is not a valid cron expression")
    return int(text)


def _field(text, low, high, names, expression):
    values = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = _value(step_text, {}, expression) if step_text else 1
        if body in ("*", "?"):
            first, last = low, high
        elif "-" in body:
            first_text, _, last_text = body.partition("-")
            first, last = _value(first_text, names, expression), _value(last_text, names, expression)
        else:
            first = _value(body, names, expression)
            last = high if step_text else first
        if step < 1 or not low <= first <= high or not low <= last <= high or first > last:
            raise ValueError(f"Invalid timetable expression: {expression!r} is not a valid cron expression")
        values.update(range(first, last + 1, step))
    return values


class CronExpression:
    def __init__(self, expression):
        from leoflow.dag import CRON_PRESETS
        self.expression = expression
        fields = CRON_PRESETS.get(expression, expression).split()
        if len(fields) != 5:
            raise ValueError(f"Invalid timetable expression: {expression!r} is not a valid cron expression")
        parsed = [_field(text, low, high, names, expression) for text, (low, high, names) in zip(fields, _FIELDS)]
        self.minutes, self.hours, self.days, self.months, weekdays = parsed
        self.weekdays = {day % 7 for day in weekdays}
        self.any_day = fields[2] in ("*", "?")
        self.any_weekday = fields[4] in ("*", "?")

    def _day_matches(self, moment):
        day = moment.day in self.days
        weekday = (moment.isoweekday() % 7) in self.weekdays
        if not self.any_day and not self.any_weekday:
            return day or weekday
        return day and weekday

    def next_after(self, moment):
        """The first fire time strictly after `moment` (an aware UTC datetime), or None within 5 years."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = candidate + timedelta(days=366 * 5)
        while candidate < limit:
            if candidate.month not in self.months:
                month = candidate.month % 12 + 1
                candidate = candidate.replace(year=candidate.year + (month == 1), month=month, day=1, hour=0, minute=0)
            elif not self._day_matches(candidate):
                candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
            elif candidate.hour not in self.hours:
                candidate = (candidate + timedelta(hours=1)).replace(minute=0)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate
        return None


def next_run_after(schedule, moment):
    """When a DAG with `schedule` (None, "@once", a cron string or preset, a timedelta, a timetable
    or an asset condition) runs next after `moment`; None when it never does or it is not known."""
    if schedule is None or schedule == "@once":
        return None
    if isinstance(schedule, timedelta):
        return moment + schedule
    if isinstance(schedule, str):
        return CronExpression(schedule).next_after(moment)
    if hasattr(schedule, "next_run_after"):
        return schedule.next_run_after(moment)
    return None  # asset-triggered: no next run is known in advance


__all__ = ["CronExpression", "next_run_after"]
