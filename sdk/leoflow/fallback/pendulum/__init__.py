"""A small stand-in for `pendulum` when the real package is not installed (its folder is last on
sys.path): aware datetimes for start_date, now, today, duration, timezone and parse, returned as
standard datetime/timedelta values."""
from datetime import datetime as _datetime, timedelta as _timedelta, timezone as _timezone

UTC = _timezone.utc


def timezone(name):
    """A tzinfo for an IANA name ("UTC", "Europe/Paris") or a UTC offset in seconds."""
    if isinstance(name, (int, float)):
        return _timezone(_timedelta(seconds=name))
    if name in ("UTC", "utc", "Z"):
        return UTC
    from zoneinfo import ZoneInfo
    return ZoneInfo(name)


def _tz(tz):
    return tz if tz is not None and not isinstance(tz, (str, int, float)) else timezone(tz or "UTC")


def datetime(year, month=1, day=1, hour=0, minute=0, second=0, microsecond=0, tz="UTC"):
    return _datetime(year, month, day, hour, minute, second, microsecond, tzinfo=_tz(tz))


def now(tz="UTC"):
    return _datetime.now(_tz(tz))


def today(tz="UTC"):
    return now(tz).replace(hour=0, minute=0, second=0, microsecond=0)


def yesterday(tz="UTC"):
    return today(tz) - _timedelta(days=1)


def duration(days=0, seconds=0, microseconds=0, milliseconds=0, minutes=0, hours=0, weeks=0):
    return _timedelta(days=days, seconds=seconds, microseconds=microseconds, milliseconds=milliseconds,
                      minutes=minutes, hours=hours, weeks=weeks)


def parse(text, tz="UTC"):
    value = _datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return value if value.tzinfo is not None else value.replace(tzinfo=_tz(tz))


DateTime = _datetime
Duration = _timedelta
