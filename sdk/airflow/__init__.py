"""Apache Airflow compatibility layer for Leoflow Lite: thin re-exports of `leoflow`. An `airflow.*`
module Leoflow Lite does not provide fails with "feature airflow.X is not supported by Leoflow Lite (file:line)"."""
import sys

from leoflow.dag import DAG
from leoflow.errors import UnsupportedImport
from leoflow.callsite import user_location

__version__ = "3.2.1"


class _RefuseMissingModules:
    """Last on sys.meta_path: an `airflow.*` module no other finder found is an unsupported feature."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith("airflow."):
            raise UnsupportedImport(f"feature {fullname} is not supported by Leoflow Lite ({user_location()})")
        return None


if not any(type(finder).__name__ == "_RefuseMissingModules" for finder in sys.meta_path):
    sys.meta_path.append(_RefuseMissingModules())

__all__ = ["DAG"]
