"""pytest configuration for the fault tests: the integration helpers
(test/integration's lite.py and runs.py) are importable as `lite` and `runs`,
and so is this folder's faults.py."""
import os
import sys

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

import pytest  # noqa: E402

from faults import kill_leftovers  # noqa: E402


@pytest.fixture(autouse=True)
def no_leftovers(tmp_path):
    """After each test, processes a killed server left behind (they name the
    test's folder on their command line) are killed by pid and listed."""
    yield
    pids = kill_leftovers(tmp_path)
    if pids:
        print(f"killed {len(pids)} process(es) left behind under {tmp_path}: {pids}")
