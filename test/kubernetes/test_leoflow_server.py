"""`leoflow-server` with `executor: kubernetes` and a `kubernetes:` section in server.yaml, against
the fake cluster (a test double for a real one): the staging DAG runs as pods; a mistake in the
section refuses to start, naming the key."""
import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from k8s_lite import kubernetes_yaml  # noqa: E402
from lite import BIN_DIR, wait_until  # noqa: E402
from runs import write_project  # noqa: E402
from test_daemon import Daemon  # noqa: E402  (test/integration's)
from test_executor import STAGING_DAG  # noqa: E402


def server_yaml(tmp_path, cluster, section=None):
    section = section if section is not None else textwrap.indent(kubernetes_yaml(cluster), "  ")
    config = tmp_path / "server.yaml"
    config.write_text(f"""listen: {{host: 127.0.0.1, port: 0}}
dag_folders: [{tmp_path / 'dags'}]
home: {tmp_path / 'state'}
executor: kubernetes
shutdown_grace: 5
kubernetes:
{section}""")
    return config


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.loads(r.read())


def post(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_the_daemon_runs_tries_as_pods(cluster, tmp_path):
    write_project(tmp_path / "dags", "staging_pair", STAGING_DAG)
    daemon = Daemon(server_yaml(tmp_path, cluster))
    try:
        line = daemon.wait_for_line(r"listening on http://")
        base = re.search(r"listening on (http://[0-9.:]+)", line).group(1)
        assert "executor: kubernetes" in daemon.output()
        wait_until(lambda: daemon.wait_for_line(r"staging_pair: registered version 1"), 30)
        run = post(base, "/api/v2/dags/staging_pair/dagRuns", {})
        done = wait_until(lambda: (lambda r: r if r["state"] in ("success", "failed") else None)(
            get(base, f"/api/v2/dags/staging_pair/dagRuns/{urllib.request.quote(run['dag_run_id'], safe='')}")), 60,
            daemon.output)
        assert done["state"] == "success", daemon.output()
    finally:
        daemon.stop()


def test_a_mistake_in_the_kubernetes_section_names_its_key(cluster, tmp_path):
    (tmp_path / "dags").mkdir()
    config = server_yaml(tmp_path, cluster, section="  staging: {access_mode: ReadWriteSometimes}\n")
    r = subprocess.run([os.path.join(BIN_DIR, "leoflow-server"), "--config", str(config), "--check"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 78
    assert "kubernetes.staging.access_mode" in r.stderr and "ReadWriteSometimes" in r.stderr
