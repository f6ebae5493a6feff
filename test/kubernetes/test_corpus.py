"""The shared corpus on the Kubernetes executor (every try a pod of the fake cluster, a test double
for a real one) must give what it gives on subprocess: the outcome Airflow gives, as its expect.json
says and the team's corpus-check tool checks. The corpus is ../shared/corpus when present, else the
repository's own copy (test/sdk/fixtures/corpus); without ../shared/tools/corpus-check it is skipped."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

from k8s_lite import K8sLite  # noqa: E402
from lite import wait_until  # noqa: E402

SHARED = Path(os.environ.get("LEOFLOW_SHARED_DIR", HERE.parents[2] / "shared"))
CHECKER = SHARED / "tools" / "corpus-check"
CORPUS = SHARED / "corpus" if (SHARED / "corpus").is_dir() else HERE.parent / "sdk" / "fixtures" / "corpus"


@pytest.mark.skipif(not CHECKER.exists(), reason=f"no corpus-check tool in {SHARED / 'tools'}")
def test_the_corpus_runs_on_pods_as_on_subprocess(cluster, tmp_path):
    dags = tmp_path / "dags"
    projects = sorted(p for p in CORPUS.iterdir() if (p / "expect.json").exists())
    assert projects, f"no corpus projects in {CORPUS}"
    for p in projects:
        shutil.copytree(p, dags / p.name)
    with K8sLite(cluster, dags) as lite:
        wait_until(lambda: lite.get("/api/v2/dags")[1].get("total_entries", 0) >= len(projects), 120, lite.output)
        checked = subprocess.run([sys.executable, str(CHECKER), "--base", lite.base, "--timeout", "120",
                                  *map(str, (dags / p.name for p in projects))],
                                 capture_output=True, text=True, timeout=900)
        print(checked.stdout[-3000:])
        found = re.findall(r"(\d+) passed, (\d+) failed", checked.stdout + checked.stderr)
        assert found, checked.stdout[-4000:] + checked.stderr[-2000:]
        passed, failed = map(int, found[-1])
        assert failed == 0 and passed > 0, checked.stdout[-6000:] + "\n" + lite.output()[-4000:]
        # Every try really was a pod.
        assert len(cluster.posted_pod_specs()) >= len(projects)
