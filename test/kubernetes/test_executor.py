"""The Kubernetes executor end to end against the fake cluster (fake_cluster.py: a test double for a
real API server and kubelet; it validates every object against the published schema and runs each
pod's container as a local process). Each test runs the real `leoflow lite --executor k8s`."""
import base64
import json
import os
import re
import sys
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from k8s_lite import K8sLite, claims_of, pod_for, pods_of, wait_pod_running  # noqa: E402
from lite import wait_until  # noqa: E402
from runs import log_text, task_states, trigger, wait_registered, wait_run, write_project, xcom  # noqa: E402

STAGING_DAG = """
import os
from airflow.sdk import DAG, task

with DAG("staging_pair", schedule=None):
    @task
    def write():
        path = os.path.join(os.environ["LEOFLOW_STAGING_DIR"], "hello.txt")
        with open(path, "w") as f:
            f.write("written by the first pod")
        return path

    @task
    def read(path):
        with open(path) as f:
            return f.read()

    read(write())
"""


def test_a_file_written_to_staging_is_read_by_the_next_pod(cluster, tmp_path):
    write_project(tmp_path / "dags", "staging_pair", STAGING_DAG)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        assert "executor: kubernetes" in lite.output().splitlines()[0]
        wait_registered(lite, "staging_pair")
        run = trigger(lite, "staging_pair")
        done = wait_run(lite, "staging_pair", run["dag_run_id"])
        assert done["state"] == "success", lite.output()
        assert xcom(lite, "staging_pair", run["dag_run_id"], "write") == "/staging/hello.txt"
        assert xcom(lite, "staging_pair", run["dag_run_id"], "read") == "written by the first pod"
        # Two pods, each with the run's claim at /staging and the variable set.
        specs = [s for s in map(json.loads, cluster.posted_pod_specs())
                 if s["metadata"]["labels"]["leoflow.io/dag-id"] == "staging_pair"]
        assert len(specs) == 2
        claims = {s["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] for s in specs}
        assert len(claims) == 1 and claims.pop().startswith("leoflow-staging-staging-pair-")
        for s in specs:
            env = {e["name"]: e.get("value") for e in s["spec"]["containers"][0]["env"]}
            assert env["LEOFLOW_STAGING_DIR"] == "/staging"
            assert s["spec"]["restartPolicy"] == "Never"
        # The run succeeded: its claim goes, and finished pods go after their delay.
        wait_until(lambda: not [c for c in claims_of(cluster)
                                if c["metadata"]["annotations"]["leoflow.io/dag-id"] == "staging_pair"],
                   20, "the staging claim of a succeeded run was not deleted")
        wait_until(lambda: not pods_of(cluster, "leoflow.io/dag-id=staging_pair"), 20, "finished pods were not deleted")
        # The logs were followed into the tries' logs before the pods went.
        assert "Task write ended: success" in log_text(lite, "staging_pair", run["dag_run_id"], "write")


def test_connections_and_variables_reach_the_task_but_no_pod_spec(cluster, tmp_path):
    secret_password = "pa55-w0rd-only-in-the-store"
    env_uri_password = "env-conn-secret-9876"
    write_project(tmp_path / "dags", "uses_conn", """
        from airflow.sdk import DAG, task
        from airflow.hooks.base import BaseHook
        from airflow.models import Variable

        with DAG("uses_conn", schedule=None):
            @task
            def peek():
                stored = BaseHook.get_connection("warehouse")
                from_env = BaseHook.get_connection("from_env")
                return {"stored": stored.password, "env": from_env.password, "var": Variable.get("region")}
            peek()
        """)
    env = {"AIRFLOW_CONN_FROM_ENV": f"postgres://user:{env_uri_password}@db.example:5432/x"}
    with K8sLite(cluster, tmp_path / "dags", env=env) as lite:
        status, _ = lite.request("POST", "/api/v2/connections", {"connection_id": "warehouse", "conn_type": "postgres",
                                                                  "host": "wh.example", "password": secret_password})
        assert status in (200, 201)
        status, _ = lite.request("POST", "/api/v2/variables", {"key": "region", "value": "eu-west-7"})
        assert status in (200, 201)
        wait_registered(lite, "uses_conn")
        run = trigger(lite, "uses_conn")
        assert wait_run(lite, "uses_conn", run["dag_run_id"])["state"] == "success", lite.output()
        got = xcom(lite, "uses_conn", run["dag_run_id"], "peek")
        # The API masks secrets in XCom it shows; the values reached the task all the same.
        assert got["var"] == "eu-west-7"
        assert got["stored"] == "***" and got["env"] == "***"
        every_write = json.dumps([r["body"] for r in cluster.received(resource="pods")])
        assert "uses_conn" in every_write
        assert secret_password not in every_write and env_uri_password not in every_write
        # The server's AIRFLOW_CONN_* goes in the try's Secret, owned by its pod.
        secrets = [b for b in (json.loads(r["body"]) for r in cluster.received(resource="secrets", method="POST"))
                   if b["metadata"]["labels"].get("leoflow.io/dag-id") == "uses_conn"]
        assert secrets and base64.b64decode(secrets[0]["data"]["AIRFLOW_CONN_FROM_ENV"]).decode() == env["AIRFLOW_CONN_FROM_ENV"]
        assert secret_password not in json.dumps(secrets)


def test_a_failed_image_pull_fails_the_try_with_its_reason(cluster, tmp_path):
    write_project(tmp_path / "dags", "pull_fails", """
        from airflow.sdk import DAG, task
        with DAG("pull_fails", schedule=None):
            @task
            def t():
                return 1
            t()
        """)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        wait_registered(lite, "pull_fails")
        image = re.search(r"image (leoflow/pull-fails:[0-9a-f]+) built", lite.output()).group(1)
        cluster.fail_image_pull(image, message="registry says no")
        try:
            run = trigger(lite, "pull_fails")
            assert wait_run(lite, "pull_fails", run["dag_run_id"])["state"] == "failed"
            log = log_text(lite, "pull_fails", run["dag_run_id"], "t")
            assert "ErrImagePull" in log and "registry says no" in log, log
            wait_until(lambda: not pods_of(cluster, "leoflow.io/dag-id=pull_fails"), 20, "the failed pod was not deleted")
        finally:
            cluster.fail_image_pull(image, clear=True)


def test_execution_timeout_and_kill_delete_the_pod(cluster, tmp_path):
    write_project(tmp_path / "dags", "slow", """
        import time
        from datetime import timedelta
        from airflow.sdk import DAG, task
        with DAG("slow", schedule=None):
            @task(execution_timeout=timedelta(seconds=2))
            def too_slow():
                time.sleep(60)
            @task
            def killed():
                time.sleep(60)
            too_slow()
            killed()
        """)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        wait_registered(lite, "slow")
        run = trigger(lite, "slow")
        rid = run["dag_run_id"]
        pod = wait_pod_running(cluster, "killed")
        assert pod_for(cluster, "too_slow")["spec"]["activeDeadlineSeconds"] >= 2
        status, body = lite.request("PATCH", f"/api/v2/dags/slow/dagRuns/{rid}/taskInstances/killed",
                                    {"new_state": "failed"})
        assert status == 200, body
        wait_until(lambda: not [p for p in pods_of(cluster, "leoflow.io/task-id=killed")
                                if not p["metadata"].get("deletionTimestamp")], 20, "the killed try's pod stayed")
        assert wait_run(lite, "slow", rid)["state"] == "failed"
        assert task_states(lite, "slow", rid) == {"too_slow": "failed", "killed": "failed"}
        assert "Timeout" in log_text(lite, "slow", rid, "too_slow")
        wait_until(lambda: "The task was killed" in log_text(lite, "slow", rid, "killed"), 20,
                   lambda: log_text(lite, "slow", rid, "killed"))


def test_a_pod_deleted_from_outside_fails_its_try_and_retries_apply(cluster, tmp_path):
    marker = tmp_path / "first-try-started"
    write_project(tmp_path / "dags", "deleted", f"""
        import os, time
        from datetime import timedelta
        from airflow.sdk import DAG, task
        with DAG("deleted", schedule=None, default_args={{"retries": 1, "retry_delay": timedelta(seconds=0)}}):
            @task
            def victim(**context):
                if context["ti"].try_number == 1:
                    print("first try, waiting to be deleted", flush=True)
                    time.sleep(60)
                return context["ti"].try_number
            victim()
        """)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        wait_registered(lite, "deleted")
        run = trigger(lite, "deleted")
        pod = wait_pod_running(cluster, "victim")
        cluster.delete_pod_as_someone_else(pod["metadata"]["name"], grace_period_seconds=0)
        done = wait_run(lite, "deleted", run["dag_run_id"])
        assert done["state"] == "success", lite.output()
        assert xcom(lite, "deleted", run["dag_run_id"], "victim") == 2
        first = log_text(lite, "deleted", run["dag_run_id"], "victim", try_number=1)
        assert "deleted before the task finished" in first, first


def test_a_task_that_stops_heartbeating_is_failed(cluster, tmp_path):
    write_project(tmp_path / "dags", "frozen", """
        import time
        from airflow.sdk import DAG, task
        with DAG("frozen", schedule=None):
            @task
            def hangs():
                print("about to be frozen", flush=True)
                time.sleep(120)
            hangs()
        """)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        wait_registered(lite, "frozen")
        run = trigger(lite, "frozen")
        pod = wait_pod_running(cluster, "hangs")
        # Freeze the pod's processes (heartbeats included), as a hung node would.
        view = cluster.api("GET", f"/_fake/pods/default/{pod['metadata']['name']}")
        pids = [pid for c in view.get("containers", []) for pid in ([c.get("pid")] if c.get("pid") else [])]
        assert pids, view
        wait_until(lambda: "about to be frozen" in log_text(lite, "frozen", run["dag_run_id"], "hangs"), 20)
        for pid in pids:
            os.killpg(os.getpgid(pid), 19)  # SIGSTOP
        assert wait_run(lite, "frozen", run["dag_run_id"], timeout=60)["state"] == "failed"
        assert "stopped heartbeating" in log_text(lite, "frozen", run["dag_run_id"], "hangs")


def _call(url, method, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def test_a_try_token_acts_on_its_own_try_only(cluster, tmp_path):
    write_project(tmp_path / "dags", "tokens", """
        import time
        from airflow.sdk import DAG, task
        with DAG("tokens", schedule=None):
            @task
            def first():
                time.sleep(30)
            @task
            def second():
                time.sleep(30)
            first()
            second()
        """)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        wait_registered(lite, "tokens")
        run = trigger(lite, "tokens")
        pods = {t: wait_pod_running(cluster, t) for t in ("first", "second")}
        env = {t: {e["name"]: e.get("value") for e in p["spec"]["containers"][0]["env"]} for t, p in pods.items()}
        api = env["first"]["LEOFLOW_EXECUTION_API"]
        secret = cluster.api("GET", f"/api/v1/namespaces/default/secrets/{pods['first']['metadata']['name']}")
        token = base64.b64decode(secret["data"]["LEOFLOW_TRY_TOKEN"]).decode()
        assert secret["metadata"]["ownerReferences"][0]["name"] == pods["first"]["metadata"]["name"]
        first_id, second_id = env["first"]["LEOFLOW_TI_ID"], env["second"]["LEOFLOW_TI_ID"]
        assert _call(f"{api}/task-instances/{first_id}/heartbeat", "PUT")[0] == 401
        assert _call(f"{api}/task-instances/{first_id}/heartbeat", "PUT", token + "0")[0] == 401
        assert _call(f"{api}/task-instances/{first_id}/heartbeat", "PUT", token)[0] == 204
        status, body = _call(f"{api}/task-instances/{second_id}/state", "PATCH", token, {"state": "success"})
        assert status == 403 and "its own task instance" in body["detail"]
        status, body = _call(f"{api}/xcoms/other_dag/{run['dag_run_id']}/first/return_value", "GET", token)
        assert status == 403
        status, body = _call(f"{api}/xcoms/tokens/{run['dag_run_id']}/second/k", "POST", token, 1)
        assert status == 403
        status, body = _call(f"{api}/xcoms/tokens/{run['dag_run_id']}/first/note", "POST", token, {"a": 1})
        assert status == 201
        status, body = _call(f"{api}/xcoms/tokens/{run['dag_run_id']}/first/note", "GET", token)
        assert status == 200 and body["value"] == {"a": 1}
        assert _call(f"{api}/task-instances/{first_id}/state", "PATCH", token, {"nonsense": 1})[0] == 422
        # Bad input is a 4xx with a detail, never a crash.
        for method, path, body in (("PUT", "/task-instances/abc/heartbeat", None),
                                   ("PUT", "/variables/k", "not an object"),
                                   ("GET", "/connections/nope", None),
                                   ("GET", "/xcoms/tokens/nope/first/return_value", None),
                                   ("PATCH", f"/task-instances/{first_id}/state", "nonsense")):
            status, body = _call(f"{api}{path}", method, token, body)
            assert 400 <= status < 500 and body["detail"], (path, status, body)
        assert _call(f"{api}/health", "GET")[0] == 200
        # The UI's port is not the execution API: no /execution routes there.
        assert lite.get("/execution/health")[0] == 404
        status, _ = lite.request("PATCH", f"/api/v2/dags/tokens/dagRuns/{run['dag_run_id']}", {"state": "failed"})
        assert status == 200
        # Once its try is over the token is worth nothing.
        wait_until(lambda: _call(f"{api}/task-instances/{first_id}/heartbeat", "PUT", token)[0] == 409, 20)


def test_eviction_and_a_lost_node_fail_the_try_with_their_reason(cluster, tmp_path):
    write_project(tmp_path / "dags", "unlucky", """
        import time
        from airflow.sdk import DAG, task
        with DAG("unlucky", schedule=None):
            @task
            def evicted():
                time.sleep(60)
            @task
            def stranded():
                time.sleep(60)
            evicted() >> stranded()
        """)
    with K8sLite(cluster, tmp_path / "dags") as lite:
        wait_registered(lite, "unlucky")
        run = trigger(lite, "unlucky")
        rid = run["dag_run_id"]
        pod = wait_pod_running(cluster, "evicted", dag_id="unlucky")
        cluster.evict(pod["metadata"]["name"], message="The node was low on resource: memory.")
        wait_until(lambda: task_states(lite, "unlucky", rid).get("evicted") == "failed", 30, lite.output)
        assert "Evicted: The node was low on resource: memory." in log_text(lite, "unlucky", rid, "evicted")
        # A new run, whose pod's node is lost mid-task.
        second = trigger(lite, "unlucky")
        wait_until(lambda: next((p for p in pods_of(cluster, "leoflow.io/dag-id=unlucky")
                                       if p["metadata"]["annotations"]["leoflow.io/run-id"] == second["dag_run_id"]
                                       and "running" in (p["status"].get("containerStatuses") or [{}])[0].get("state", {})),
                                      None), 30, "the second run's pod never ran")
        cluster.lose_node(delete_after_ms=3000)
        try:
            wait_until(lambda: task_states(lite, "unlucky", second["dag_run_id"]).get("evicted") == "failed", 30,
                       lite.output)
            log = log_text(lite, "unlucky", second["dag_run_id"], "evicted")
            assert "NodeLost" in log or "deleted before the task finished" in log, log
        finally:
            cluster.restore_node()
