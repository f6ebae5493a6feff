"""`airflow.utils.dates` (Airflow 2): days_ago."""
from datetime import datetime, timedelta, timezone


def days_ago(n, hour=0, minute=0, second=0, microsecond=0):
    """Midnight UTC (or the given time) `n` days before today."""
    today = datetime.now(timezone.utc).replace(hour=hour, minute=minute, second=second, microsecond=microsecond)
    return today - timedelta(days=n)


__all__ = ["days_ago"]
