"""Airflow 3's timetables a DAG may be given (CronTriggerTimetable, DeltaTriggerTimetable,
MultipleCronTriggerTimetable, EventsTimetable), kept as data the engine evaluates (`spec()`);
the runtime evaluates them too, for operators that ask when a DAG runs next. Scheduling by them
is the engine's, so they stay refused until it enables "timetables" (features.py)."""
from datetime import timedelta

from leoflow import features
from leoflow.timeutil import UTC, rfc3339, seconds, to_utc


def _timezone_name(timezone):
    if timezone is None:
        return "UTC"
    if isinstance(timezone, str):
        return timezone
    name = getattr(timezone, "key", None) or getattr(timezone, "name", None) or str(timezone)
    return "UTC" if name in ("UTC", "utc", "Etc/UTC", "UTC+00:00") else name


def _interval(value):
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    if not isinstance(value, timedelta):
        raise TypeError(f"interval must be a timedelta, not {type(value).__name__}")
    return value


class Timetable:
    """Base of the timetables Lite knows: `summary`, `spec()` and `next_run_after(moment)`."""

    description = ""

    def __init__(self):
        features.require("timetables", "custom timetables")

    @property
    def summary(self):
        raise NotImplementedError

    def spec(self):
        raise NotImplementedError

    def next_run_after(self, moment):
        raise NotImplementedError


class CronTriggerTimetable(Timetable):
    """Runs at each fire time of `cron` in `timezone`; the data interval ends there, `interval` long."""

    def __init__(self, cron, *, timezone, interval=timedelta(), run_immediately=False):
        super().__init__()
        from leoflow.cron import CronExpression
        from leoflow.dag import CRON_PRESETS
        self.expression = CRON_PRESETS.get(cron, cron)
        self._cron = CronExpression(self.expression)
        self.timezone = _timezone_name(timezone)
        self.interval = _interval(interval)
        self.run_immediately = run_immediately

    @property
    def summary(self):
        return self.expression

    def spec(self):
        run_immediately = self.run_immediately
        if isinstance(run_immediately, timedelta):
            run_immediately = {"timedelta": seconds(run_immediately)}
        return {"type": "CronTriggerTimetable", "cron": self.expression, "timezone": self.timezone,
                "interval": seconds(self.interval), "run_immediately": run_immediately}

    def next_run_after(self, moment):
        if self.timezone == "UTC":
            return self._cron.next_after(moment)
        from zoneinfo import ZoneInfo
        zone = ZoneInfo(self.timezone)
        local = moment.astimezone(zone).replace(tzinfo=None)
        following = self._cron.next_after(local.replace(tzinfo=UTC))
        return None if following is None else following.replace(tzinfo=zone).astimezone(UTC)


class MultipleCronTriggerTimetable(Timetable):
    """Runs at the fire times of every one of `crons` (the earliest next one first)."""

    def __init__(self, *crons, timezone, interval=timedelta(), run_immediately=False):
        super().__init__()
        if not crons:
            raise ValueError("MultipleCronTriggerTimetable needs at least one cron expression")
        self.timetables = [CronTriggerTimetable(cron, timezone=timezone, interval=interval,
                                                run_immediately=run_immediately) for cron in crons]

    @property
    def summary(self):
        return ", ".join(timetable.summary for timetable in self.timetables)

    def spec(self):
        first = self.timetables[0].spec()
        return {"type": "MultipleCronTriggerTimetable", "crons": [t.expression for t in self.timetables],
                "timezone": first["timezone"], "interval": first["interval"],
                "run_immediately": first["run_immediately"]}

    def next_run_after(self, moment):
        found = [t.next_run_after(moment) for t in self.timetables]
        found = [moment for moment in found if moment is not None]
        return min(found) if found else None


class DeltaTriggerTimetable(Timetable):
    """Runs every `delta` from the DAG's start_date; the data interval ends there, `interval` long."""

    def __init__(self, delta, *, interval=timedelta()):
        super().__init__()
        if not isinstance(delta, timedelta):
            raise TypeError("DeltaTriggerTimetable takes a datetime.timedelta (relativedelta is not supported)")
        if delta <= timedelta():
            raise ValueError("schedule interval must be positive")
        self.delta = delta
        self.interval = _interval(interval)

    @property
    def summary(self):
        return str(self.delta)

    def spec(self):
        return {"type": "DeltaTriggerTimetable", "delta": seconds(self.delta), "interval": seconds(self.interval)}

    def next_run_after(self, moment):
        return moment + self.delta


class EventsTimetable(Timetable):
    """Runs at the given instants (naive ones are UTC); manual runs only at them with
    restrict_to_events."""

    def __init__(self, event_dates, restrict_to_events=False, presorted=False, description=None):
        super().__init__()
        dates = [to_utc(moment) for moment in event_dates]
        self.event_dates = dates if presorted else sorted(dates)
        self.restrict_to_events = restrict_to_events
        if description is None:
            self.description = (f"{len(self.event_dates)} events" if self.event_dates else "No events")
        else:
            self.description = description

    @property
    def summary(self):
        return self.description

    def spec(self):
        return {"type": "EventsTimetable", "event_dates": [rfc3339(moment) for moment in self.event_dates],
                "restrict_to_events": bool(self.restrict_to_events)}

    def next_run_after(self, moment):
        return next((event for event in self.event_dates if event > moment), None)


__all__ = ["CronTriggerTimetable", "DeltaTriggerTimetable", "EventsTimetable", "MultipleCronTriggerTimetable",
           "Timetable"]
