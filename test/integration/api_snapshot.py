"""The API's answers to one fixed sequence of requests, normalised (times,
ids, pids, paths), so that a refactoring can prove it changed no byte:

    LEOFLOW_BIN_DIR=build/bin python3 test/integration/api_snapshot.py OUT.json
    diff golden.json OUT.json

Starts the real `leoflow lite` on fixed DAG projects, waits for each run to
finish before reading it, and writes one record per request (method, path,
status, content type, body)."""
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from lite import Lite, q  # noqa: E402
from runs import wait_run, wait_settled, write_project  # noqa: E402

PROJECTS = {
    "snap_chain": '''
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2025, 1, 1), tags=["snap", "chain"])
        def snap_chain():
            @task
            def extract():
                return {"orders": [3, 4]}

            @task
            def load(payload):
                print(f"loaded {sum(payload['orders'])}")
                return sum(payload["orders"])

            load(extract())

        snap_chain()
    ''',
    "snap_bash": '''
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("snap_bash", schedule=None, tags=["snap"]):
            ok = BashOperator(task_id="ok", bash_command="echo fine")
            boom = BashOperator(task_id="boom", bash_command="exit 3", retries=0)
            ok >> boom
    ''',
    "snap_other": '''
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("snap_other", schedule=None):
            EmptyOperator(task_id="nothing")
    ''',
}

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VOLATILE = {"pid", "duration", "hostname", "unixname", "continuation_token", "last_parse_duration",
            "file_token", "id", "queued_when", "last_parsed", "last_parsed_time"}


def normalise(value, tmp):
    if isinstance(value, dict):
        return {k: ("<v>" if k in VOLATILE and v is not None else normalise(v, tmp)) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, tmp) for v in value]
    if isinstance(value, str):
        value = value.replace(tmp, "<tmp>")
        value = TIME.sub("<time>", value)
        value = UUID.sub("<uuid>", value)
        value = re.sub(r"pid \d+", "pid <n>", value)
        value = re.sub(r"in \d+(\.\d+)? ?m?s\b", "in <t>", value)
        value = re.sub(r"after \d+(\.\d+)? s\b", "after <t> s", value)
        return value
    return value


def log_body(body):
    """A log answer keeps its structure and the events' text, not timings."""
    if isinstance(body, dict) and isinstance(body.get("content"), list):
        body = dict(body)
        body["content"] = [{k: v for k, v in e.items() if k not in ("timestamp",)} if isinstance(e, dict) else e
                           for e in body["content"]]
    return body


def sequence(lite):
    chain_run, bash_run = "snap_run_1", "snap_run_2"
    ti = f"/api/v2/dags/snap_bash/dagRuns/{bash_run}/taskInstances"
    yield "GET", "/api/v2/dags", None
    yield "GET", "/api/v2/dags?limit=1&offset=1", None
    yield "GET", "/api/v2/dags?tags=chain", None
    yield "GET", "/api/v2/dags?order_by=-dag_id", None
    yield "GET", "/api/v2/dags/snap_chain", None
    yield "GET", "/api/v2/dags/snap_chain/details", None
    yield "GET", "/api/v2/dags/snap_chain/tasks", None
    yield "GET", "/api/v2/dags/snap_chain/tasks/load", None
    yield "GET", "/api/v2/dags/snap_chain/tasks/nope", None
    yield "GET", "/api/v2/dags/snap_chain/dagVersions", None
    yield "GET", "/api/v2/dags/snap_chain/dagVersions/1", None
    yield "GET", "/api/v2/dags/snap_chain/dagVersions/9", None
    yield "GET", "/api/v2/dags/snap_chain/dagVersions/x", None
    yield "GET", "/api/v2/dagSources/snap_chain", None
    yield "GET", "/api/v2/dagTags", None
    yield "GET", "/api/v2/dags/missing", None
    yield "GET", "/api/v2/dags/missing/details", None
    yield "GET", "/api/v2/dags/missing/dagRuns", None
    yield "PATCH", "/api/v2/dags/missing", {"is_paused": True}
    yield "DELETE", "/api/v2/dags/missing", None
    yield "POST", "/api/v2/dags/missing/dagRuns", {}
    yield "POST", "/api/v2/dags/missing/clearTaskInstances", {"dry_run": True}
    yield "POST", "/api/v2/dags/snap_chain/dagRuns", {"dag_run_id": chain_run, "conf": {"k": "v"}}
    yield "WAIT", ("snap_chain", chain_run), None
    yield "POST", "/api/v2/dags/snap_bash/dagRuns", {"dag_run_id": bash_run}
    yield "WAIT", ("snap_bash", bash_run), None
    yield "POST", "/api/v2/dags/snap_chain/dagRuns", {"dag_run_id": chain_run}
    yield "POST", "/api/v2/dags/snap_chain/dagRuns", {"dag_run_id": "bad id!"}
    yield "POST", "/api/v2/dags/snap_chain/dagRuns", {"dag_run_id": 5, "extra": 1}
    yield "POST", "/api/v2/dags/snap_chain/dagRuns", {"logical_date": "yesterday"}
    yield "GET", "/api/v2/dags?last_dag_run_state=success", None
    yield "GET", "/api/v2/dags?last_dag_run_state=failed", None
    yield "GET", "/api/v2/dags?order_by=last_run_state", None
    yield "GET", "/api/v2/dags/~/dagRuns?order_by=run_id", None
    yield "GET", f"/api/v2/dags/snap_chain/dagRuns/{chain_run}", None
    yield "GET", "/api/v2/dags/snap_chain/dagRuns/nope", None
    yield "GET", f"/api/v2/dags/snap_chain/dagRuns/{chain_run}/taskInstances", None
    yield "GET", f"{ti}?order_by=task_id", None
    yield "GET", f"{ti}/boom", None
    yield "GET", f"{ti}/boom/0", None
    yield "GET", f"{ti}/nope", None
    yield "GET", f"{ti}/boom/x", None
    yield "GET", f"{ti}/boom/listMapped", None
    yield "GET", f"{ti}/boom/tries", None
    yield "GET", f"{ti}/boom/tries/1", None
    yield "GET", f"{ti}/boom/tries/7", None
    yield "GET", f"{ti}/ok/logs/1?full_content=true", None
    yield "GET", f"{ti}/ok/logs/9", None
    yield "GET", f"{ti}/ok/logs/1?token=zz", None
    yield "GET", f"/api/v2/dags/snap_chain/dagRuns/{chain_run}/taskInstances/load/xcomEntries", None
    yield "GET", f"/api/v2/dags/snap_chain/dagRuns/{chain_run}/taskInstances/load/xcomEntries/return_value", None
    yield "GET", f"/api/v2/dags/snap_chain/dagRuns/{chain_run}/taskInstances/load/xcomEntries/nope", None
    yield "PATCH", f"{ti}/boom", {"new_state": "success", "note": "fixed by hand"}
    yield "PATCH", f"{ti}/boom", {"new_state": "running"}
    yield "PATCH", f"{ti}/boom", {"bogus": 1}
    yield "PATCH", f"{ti}/nope", {"new_state": "failed"}
    yield "GET", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}", None
    yield "PATCH", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}", {"state": "failed", "note": "n"}
    yield "PATCH", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}", {"state": "running"}
    yield "PATCH", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}?update_mask=x", {"note": "n"}
    yield "PATCH", "/api/v2/dags/snap_bash/dagRuns/nope", {"note": "n"}
    yield "POST", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}/clear", {"dry_run": True}
    yield "POST", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}/clear", {"dry_run": True, "only_failed": True}
    yield "POST", "/api/v2/dags/snap_bash/dagRuns/nope/clear", {"dry_run": True}
    yield "POST", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}/clear", {"dry_run": "yes"}
    yield "POST", "/api/v2/dags/snap_bash/clearTaskInstances", {"dry_run": True, "only_failed": False}
    yield "POST", "/api/v2/dags/snap_bash/clearTaskInstances", {"dry_run": True, "dag_run_id": "nope"}
    yield "POST", "/api/v2/dags/snap_bash/clearTaskInstances", {"task_ids": 3}
    yield "POST", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}/clear", {"dry_run": False}
    yield "WAIT", ("snap_bash", bash_run), None
    yield "GET", f"{ti}?order_by=task_id", None
    yield "PATCH", "/api/v2/dags/snap_other", {"is_paused": True}
    yield "PATCH", "/api/v2/dags/snap_other", {"is_paused": "yes"}
    yield "PATCH", "/api/v2/dags/snap_other", {"is_paused": True, "x": 1}
    yield "PATCH", "/api/v2/dags/snap_other?update_mask=owners", {"is_paused": True}
    yield "PATCH", "/api/v2/dags?dag_id_pattern=snap_%25", {"is_paused": True}
    yield "PATCH", "/api/v2/dags?dag_id_pattern=snap_b%25", {"is_paused": False}
    yield "PATCH", "/api/v2/dags", {"is_paused": False}
    yield "PATCH", "/api/v2/dags?dag_id_pattern=x", {"is_paused": 3}
    yield "GET", "/api/v2/dags?paused=true", None
    yield "GET", "/ui/dashboard?since=2000-01-01T00:00:00Z", None
    yield "GET", "/ui/grid/snap_bash", None
    yield "GET", "/ui/grid/missing", None
    yield "GET", "/ui/recent_runs?dag_ids=snap_chain,snap_bash&limit=2", None
    yield "GET", "/api/v2/eventLogs?order_by=id&limit=100", None
    yield "DELETE", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}", None
    yield "DELETE", f"/api/v2/dags/snap_bash/dagRuns/{bash_run}", None
    yield "GET", "/api/v2/dags/snap_bash/dagRuns", None
    yield "DELETE", "/api/v2/dags/snap_other", None
    yield "DELETE", "/api/v2/dags/snap_other", None
    yield "GET", "/api/v2/dags", None
    yield "GET", "/api/v2/eventLogs?order_by=id&limit=100", None


def main(out_path):
    with tempfile.TemporaryDirectory(prefix="leoflow-snapshot-") as tmp:
        dags = Path(tmp) / "dags"
        for name, source in PROJECTS.items():
            write_project(dags, name, source)
        records = []
        with Lite(dags, home=str(Path(tmp) / "home")) as lite:
            for name in PROJECTS:
                wait_settled(lite, name)
            for method, path, body in sequence(lite):
                if method == "WAIT":
                    wait_run(lite, *path)
                    continue
                status, headers, answer = lite.call(method, path, body=body)
                if "/logs/" in path:
                    answer = log_body(answer)
                records.append({"request": f"{method} {path}", "body": body, "status": status,
                                "content_type": headers.get("Content-Type"),
                                "answer": normalise(answer, tmp)})
    Path(out_path).write_text(json.dumps(records, indent=1, sort_keys=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
