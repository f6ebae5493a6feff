"""`airflow.sdk.exceptions` (Airflow 3's home of the exceptions task code raises)."""
from airflow.exceptions import *  # noqa: F401,F403  (the same classes)
from airflow.exceptions import __all__  # noqa: F401
from leoflow.errors import refuse_missing_names

__getattr__ = refuse_missing_names("airflow.sdk.exceptions")
