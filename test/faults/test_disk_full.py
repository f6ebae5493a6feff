"""The disk holding LEOFLOW_HOME (the store and the logs) fills up: writes fail
with 507 Insufficient Storage and a `{"detail": ...}` saying why, reads and
the server go on, nothing committed before is lost, and once space returns
writes and runs work again.

LEOFLOW_HOME is a small tmpfs, so the test needs root (to mount it)."""
import os
import subprocess

import pytest

from faults import integrity_check
from lite import Lite
from runs import trigger, wait_registered, wait_run, write_project

SMALL = '''
    from airflow.sdk import DAG, task
    with DAG("small", schedule=None):
        @task
        def one():
            return 1
        one()
'''


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MiB tmpfs, unmounted after the test."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs as LEOFLOW_HOME needs root")
    mount_point = tmp_path / "small_disk"
    mount_point.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount_point)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def fill(folder):
    """Writes a file until the disk refuses another byte; returns its path."""
    filler = os.path.join(folder, "filler")
    with open(filler, "wb", buffering=0) as f:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as e:
                assert e.errno == 28, e  # ENOSPC
    return filler


def assert_insufficient_storage(status, body):
    assert status == 507, (status, body)
    assert "disk" in body["detail"] and "full" in body["detail"], body


def test_disk_full_fails_writes_clearly_and_recovers(tmp_path, small_disk):
    dags = tmp_path / "dags"
    write_project(dags, "small", SMALL)
    home = str(small_disk)
    with Lite(dags, home=home) as lite:
        wait_registered(lite, "small")
        before = trigger(lite, "small")["dag_run_id"]
        assert wait_run(lite, "small", before)["state"] == "success"
        assert lite.request("POST", "/api/v2/variables", {"key": "kept", "value": "v1"})[0] in (200, 201)

        filler = fill(home)
        # The WAL may still hold reusable pages, so some writes can succeed;
        # keep writing (1 MiB each) until the store refuses, which it must.
        refused, accepted = None, []
        for i in range(40):
            status, body = lite.request("POST", "/api/v2/variables", {"key": f"big_{i}", "value": "x" * (1 << 20)})
            if status in (200, 201):
                accepted.append(f"big_{i}")
                continue
            assert_insufficient_storage(status, body)
            refused = f"big_{i}"
            break
        assert refused, f"40 MiB of variables fitted on a full 48 MiB disk: {accepted}"
        # A trigger is refused the same way, and nothing half-made remains.
        assert_insufficient_storage(*lite.request("POST", "/api/v2/dags/small/dagRuns", {}))
        assert lite.get(f"/api/v2/variables/{refused}")[0] == 404
        status, runs = lite.get("/api/v2/dags/small/dagRuns")
        assert status == 200 and [r["dag_run_id"] for r in runs["dag_runs"]] == [before], runs
        # Reads go on, and so does the server.
        assert lite.get("/api/v2/dags/small")[0] == 200
        assert lite.get("/api/v2/variables/kept")[1]["value"] == "v1"
        assert lite.proc.poll() is None

        os.remove(filler)
        status, body = lite.request("POST", "/api/v2/variables", {"key": "after", "value": "v2"})
        assert status in (200, 201), body
        after = trigger(lite, "small")["dag_run_id"]
        assert wait_run(lite, "small", after)["state"] == "success", lite.output()
        for key in ["kept", "after", *accepted]:
            assert lite.get(f"/api/v2/variables/{key}")[0] == 200, key
        lite.stop()
        assert lite.proc.returncode == 0, lite.output()
    assert integrity_check(home) == ["ok"]
