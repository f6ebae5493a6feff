"""pytest configuration for the integration tests: the helpers in lite.py
are importable as `lite`."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402

import postgres as _postgres  # noqa: E402


@pytest.fixture(scope="session")
def pg_cluster():
    """A running throw-away PostgreSQL cluster (postgres.Cluster)."""
    if not _postgres.installed():
        pytest.skip("PostgreSQL's server is not installed (Debian package postgresql; `make test` installs it)")
    cluster = _postgres.Cluster()
    yield cluster
    cluster.stop()
