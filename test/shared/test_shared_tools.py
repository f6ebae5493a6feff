"""The team's shared checks, run when ../shared is next to the checkout (the
project itself never needs it): corpus-check registers, triggers and checks
every corpus project against the outcome Airflow gives, and
airflow-conformance validates the /api/v2 answers the same server then gives
against Airflow 3's schema. Each prints `N passed, M failed`."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from lite import Lite, wait_until  # noqa: E402

SHARED = Path(os.environ.get("LEOFLOW_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
TOOLS = SHARED / "tools"
SUMMARY = re.compile(r"(\d+) passed, (\d+) failed")

pytestmark = pytest.mark.skipif(not (TOOLS / "corpus-check").exists(), reason=f"no shared tools in {SHARED}")


def summary(output):
    found = SUMMARY.findall(output)
    assert found, output[-4000:]
    return tuple(int(n) for n in found[-1])


def test_corpus_and_conformance(tmp_path):
    dags = tmp_path / "dags"
    projects = sorted(p for p in (SHARED / "corpus").iterdir() if (p / "expect.json").exists())
    for p in projects:
        shutil.copytree(p, dags / p.name)
    with Lite(dags) as lite:
        wait_until(lambda: lite.get("/api/v2/dags")[1].get("total_entries", 0) >= len(projects),
                   timeout=300, message=lite.output)
        corpus = subprocess.run([str(TOOLS / "corpus-check"), "--base", lite.base, *map(str, projects)],
                                capture_output=True, text=True, timeout=1200)
        print(corpus.stdout[-3000:])
        passed, failed = summary(corpus.stdout + corpus.stderr)
        assert failed == 0 and passed > 0, corpus.stdout[-6000:]
        conformance = subprocess.run([str(TOOLS / "airflow-conformance"), "--base", lite.base],
                                     capture_output=True, text=True, timeout=1200)
        print(conformance.stdout[-3000:])
        passed, failed = summary(conformance.stdout + conformance.stderr)
        assert failed == 0 and passed > 0, conformance.stdout[-6000:]
