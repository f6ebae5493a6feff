"""`airflow.providers.common.compat.sdk`: the authoring names and exceptions of `airflow.sdk` and
`airflow.exceptions`, under the path code written for both Airflow 2 and 3 imports them from."""
from airflow.exceptions import *  # noqa: F401,F403
from airflow.exceptions import __all__ as _exception_names
from airflow.sdk import *  # noqa: F401,F403
from airflow.sdk import TriggerRule  # noqa: F401  (resolved lazily by airflow.sdk)
from airflow.sdk import __all__ as _sdk_names
from leoflow.errors import refuse_missing_names

__getattr__ = refuse_missing_names("airflow.providers.common.compat.sdk")
__all__ = sorted(set(_sdk_names) | set(_exception_names))
