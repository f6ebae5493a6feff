"""The Kubernetes executor through trouble, against the fake cluster (a test double for a real one):
the API server restarting mid-watch (410 and re-list), Lite itself killed while pods run (their tries
are taken over on restart), claims of failed runs kept for a while then collected, orphans collected,
and a project whose image cannot be built (an import error; the last good version keeps serving)."""
import json
import os
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from k8s_lite import K8sLite, claims_of, free_port, pods_of, wait_pod_running  # noqa: E402
from lite import q, wait_until  # noqa: E402
from runs import log_text, trigger, wait_registered, wait_run, write_project, xcom  # noqa: E402

SLEEPER = """
import time
from airflow.sdk import DAG, task

with DAG("{dag_id}", schedule=None):
    @task
    def nap():
        print("napping", flush=True)
        time.sleep({seconds})
        print("woke up", flush=True)
        return "rested"

    @task
    def after(value):
        return value + " and done"

    after(nap())
"""


def test_an_api_server_restart_mid_watch_loses_nothing(cluster, tmp_path):
    write_project(tmp_path / "dags", "through_restart", SLEEPER.format(dag_id="through_restart", seconds=4))
    with K8sLite(cluster, tmp_path / "dags") as lite:
        wait_registered(lite, "through_restart")
        run = trigger(lite, "through_restart")
        wait_pod_running(cluster, "nap", dag_id="through_restart")
        cluster.restart_apiserver()  # connections dropped, history compacted: watches get 410
        cluster.refuse_connections(500)
        done = wait_run(lite, "through_restart", run["dag_run_id"], timeout=60)
        assert done["state"] == "success", lite.output()
        assert xcom(lite, "through_restart", run["dag_run_id"], "after") == "rested and done"
        log = log_text(lite, "through_restart", run["dag_run_id"], "nap")
        assert log.count("napping") == 1 and log.count("woke up") == 1, log


def test_a_restarted_server_takes_over_its_running_pods(cluster, tmp_path):
    write_project(tmp_path / "dags", "adopted", SLEEPER.format(dag_id="adopted", seconds=6))
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()  # the pods report to the same address after the restart
    first = K8sLite(cluster, tmp_path / "dags", home=str(home), execution_port=port)
    with first:
        wait_registered(first, "adopted")
        run = trigger(first, "adopted")
        pod = wait_pod_running(cluster, "nap", dag_id="adopted")
        wait_until(lambda: "napping" in log_text(first, "adopted", run["dag_run_id"], "nap"), 20)
        first.stop(sig=signal.SIGKILL)  # no shutdown: the pod keeps running
    assert not cluster.pod(pod["metadata"]["name"]).get("metadata", {}).get("deletionTimestamp")
    with K8sLite(cluster, tmp_path / "dags", home=str(home), execution_port=port) as second:
        second.wait_for_line(r"took over 1 running task try", timeout=30)
        done = wait_run(second, "adopted", run["dag_run_id"], timeout=60)
        assert done["state"] == "success", second.output()
        log = log_text(second, "adopted", run["dag_run_id"], "nap")
        assert "Leoflow restarted while this try ran" in log
        assert log.count("napping") == 1 and "woke up" in log, log
        assert xcom(second, "adopted", run["dag_run_id"], "after") == "rested and done"


def test_a_restarted_server_fails_tries_whose_pod_is_gone(cluster, tmp_path):
    write_project(tmp_path / "dags", "orphaned", SLEEPER.format(dag_id="orphaned", seconds=30))
    home = tmp_path / "home"
    home.mkdir()
    with K8sLite(cluster, tmp_path / "dags", home=str(home)) as first:
        wait_registered(first, "orphaned")
        run = trigger(first, "orphaned")
        pod = wait_pod_running(cluster, "nap", dag_id="orphaned")
        first.stop(sig=signal.SIGKILL)
    cluster.delete_pod_as_someone_else(pod["metadata"]["name"], grace_period_seconds=0)
    wait_until(lambda: not pods_of(cluster, "leoflow.io/dag-id=orphaned"), 20)
    with K8sLite(cluster, tmp_path / "dags", home=str(home)) as second:
        assert wait_run(second, "orphaned", run["dag_run_id"], timeout=60)["state"] == "failed"
        assert "its pod is gone" in log_text(second, "orphaned", run["dag_run_id"], "nap")


def test_a_failed_runs_claim_is_kept_then_collected_and_orphans_go(cluster, tmp_path):
    write_project(tmp_path / "dags", "fails_late", """
        import os
        from airflow.sdk import DAG, task
        with DAG("fails_late", schedule=None):
            @task
            def leave_evidence():
                open(os.path.join(os.environ["LEOFLOW_STAGING_DIR"], "evidence.txt"), "w").write("look here")
            @task
            def explode():
                raise RuntimeError("boom")
            leave_evidence() >> explode()
        """)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        # A claim of a run no store has (left by a server that is gone): an orphan.
        server = None
        wait_registered(lite, "fails_late")
        run = trigger(lite, "fails_late")
        assert wait_run(lite, "fails_late", run["dag_run_id"])["state"] == "failed"
        mine = [c for c in claims_of(cluster) if c["metadata"]["annotations"]["leoflow.io/dag-id"] == "fails_late"]
        assert len(mine) == 1
        wait_until(lambda: any("leoflow.io/delete-after" in c["metadata"]["annotations"] for c in claims_of(cluster)
                               if c["metadata"]["name"] == mine[0]["metadata"]["name"]), 20,
                   "the failed run's claim was not marked")
        server = mine[0]["metadata"]["labels"]["leoflow.io/server"]
        orphan = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                  "metadata": {"name": "leoflow-staging-gone-run-0000",
                               "labels": {"leoflow.io/server": server, "leoflow.io/staging": "true",
                                          "app.kubernetes.io/managed-by": "leoflow"},
                               "annotations": {"leoflow.io/dag-id": "fails_late", "leoflow.io/run-id": "never_was"}},
                  "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
        cluster.api("POST", "/api/v1/namespaces/default/persistentvolumeclaims", orphan)
        # keep_after_failure is 3 s in these tests.
        wait_until(lambda: not [c for c in claims_of(cluster) if c["metadata"]["labels"].get("leoflow.io/server") == server],
                   30, lambda: json.dumps([c["metadata"] for c in claims_of(cluster)]))


def test_an_image_that_cannot_be_built_is_an_import_error(cluster, tmp_path):
    dags = tmp_path / "dags"
    project = write_project(dags, "builds", SLEEPER.format(dag_id="builds", seconds=0))
    home = tmp_path / "home"
    home.mkdir()
    with K8sLite(cluster, dags, home=str(home)) as lite:
        wait_registered(lite, "builds")
    # The same project, now with a builder that fails: the version must not register.
    (project / "dag.py").write_text(SLEEPER.format(dag_id="builds", seconds=1))
    with K8sLite(cluster, dags, home=str(home), builder_args=["--fail", "no space left for layers"]) as lite:
        def import_error():
            status, body = lite.get("/api/v2/importErrors")
            return body["import_errors"] if status == 200 and body["total_entries"] else None
        errors = wait_until(import_error, 30, lite.output)
        assert "no space left for layers" in errors[0]["stack_trace"]
        assert "building the DAG's image failed" in lite.output()
        status, versions = lite.get(f"/api/v2/dags/{q('builds')}/dagVersions")
        assert status == 200 and versions["total_entries"] == 1
