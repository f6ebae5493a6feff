"""Dates and durations as Airflow treats them: naive means UTC, output is RFC 3339."""
from datetime import datetime, timedelta, timezone

UTC = timezone.utc


def to_utc(value):
    """A datetime in UTC (naive datetimes are taken as UTC); None stays None."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_datetime(text):
    """Parse an ISO 8601 / RFC 3339 string (a trailing `Z` is UTC)."""
    if not isinstance(text, str):
        raise TypeError(f"expected a datetime or an ISO 8601 string, got {type(text).__name__}")
    text = text.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    return to_utc(datetime.fromisoformat(text))


def rfc3339(value):
    """`2025-01-01T00:00:00Z` (microseconds only when present); None stays None."""
    if value is None:
        return None
    value = to_utc(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def coerce_timedelta(value, name):
    """Airflow accepts a timedelta or a number of seconds for durations."""
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    raise TypeError(f"{name} must be a timedelta or a number of seconds, got {type(value).__name__}")


def seconds(value):
    """A timedelta as a JSON number of seconds (int when whole)."""
    if value is None:
        return None
    total = value.total_seconds()
    return int(total) if total == int(total) else total


def timedelta_json(value):
    """Airflow's serialized form of a timedelta."""
    return {"__type": "TimeDelta", "days": value.days, "seconds": value.seconds,
            "microseconds": value.microseconds}
