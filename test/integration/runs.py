"""Helpers for tests that run DAGs: writing projects, triggering, waiting for
a run to finish, reading task instances, XComs and logs."""
import os
import textwrap

from lite import q, wait_until

TERMINAL = {"success", "failed"}


def write_project(root, name, source, requirements=None):
    project = root / name
    project.mkdir(parents=True, exist_ok=True)
    (project / "dag.py").write_text(textwrap.dedent(source))
    if requirements is not None:
        (project / "requirements.txt").write_text("\n".join(requirements) + "\n")
    return project


def wait_registered(lite, dag_id, timeout=60):
    return wait_until(lambda: lite.get(f"/api/v2/dags/{q(dag_id)}")[0] == 200, timeout,
                      lambda: f"{dag_id} never registered:\n{lite.output()}")


def wait_settled(lite, dag_id, timeout=60):
    """Registered, and the scheduler has written the DAG's next-run fields
    (timetable_description): until then a second read may rightly differ."""
    def settled():
        status, dag = lite.get(f"/api/v2/dags/{q(dag_id)}")
        return status == 200 and dag["timetable_description"] is not None
    return wait_until(settled, timeout, lambda: f"{dag_id} never settled:\n{lite.output()}")


def trigger(lite, dag_id, conf=None, **body):
    if conf is not None:
        body["conf"] = conf
    status, run = lite.request("POST", f"/api/v2/dags/{q(dag_id)}/dagRuns", body)
    assert status == 200, run
    return run


def wait_run(lite, dag_id, run_id, timeout=90, states=TERMINAL):
    def done():
        status, run = lite.get(f"/api/v2/dags/{q(dag_id)}/dagRuns/{q(run_id)}")
        return run if status == 200 and run["state"] in states else None
    return wait_until(done, timeout, lambda: f"run {run_id} of {dag_id} never reached {states}:\n{lite.output()}")


def task_states(lite, dag_id, run_id):
    status, body = lite.get(f"/api/v2/dags/{q(dag_id)}/dagRuns/{q(run_id)}/taskInstances?limit=1000")
    assert status == 200, body
    out = {}
    for ti in body["task_instances"]:
        key = ti["task_id"] if ti["map_index"] < 0 else f"{ti['task_id']}[{ti['map_index']}]"
        out[key] = ti["state"]
    return out


def task_instance(lite, dag_id, run_id, task_id, map_index=-1):
    path = f"/api/v2/dags/{q(dag_id)}/dagRuns/{q(run_id)}/taskInstances/{q(task_id)}"
    if map_index >= 0:
        path += f"/{map_index}"
    status, ti = lite.get(path)
    assert status == 200, ti
    return ti


def xcom(lite, dag_id, run_id, task_id, key="return_value", map_index=-1):
    status, body = lite.get(f"/api/v2/dags/{q(dag_id)}/dagRuns/{q(run_id)}/taskInstances/{q(task_id)}"
                            f"/xcomEntries/{q(key)}?map_index={map_index}&deserialize=true")
    return body["value"] if status == 200 else ("<missing>", status, body)


def log_events(lite, dag_id, run_id, task_id, try_number=1, map_index=-1):
    status, body = lite.get(f"/api/v2/dags/{q(dag_id)}/dagRuns/{q(run_id)}/taskInstances/{q(task_id)}"
                            f"/logs/{try_number}?full_content=true&map_index={map_index}")
    assert status == 200, body
    return body["content"]


def log_text(lite, dag_id, run_id, task_id, try_number=1, map_index=-1):
    return "\n".join(e.get("event", "") for e in log_events(lite, dag_id, run_id, task_id, try_number, map_index))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False
