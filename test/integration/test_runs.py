"""Running DAGs against a real `leoflow lite`: TaskFlow and bash XComs,
trigger rules end to end, retries, execution timeouts that kill the whole
process group, clearing and re-running, marking runs, and the run API."""
import os

import pytest

from lite import Lite, q, wait_until
from runs import (log_events, log_text, pid_alive, task_instance, task_states, trigger, wait_registered,
                  wait_run, write_project, xcom)


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    dags = tmp_path_factory.mktemp("dags")
    with Lite(dags) as server:
        server.dags = dags
        yield server


def test_taskflow_xcom_chain_and_logs(lite):
    write_project(lite.dags, "etl", '''
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2025, 1, 1))
        def etl():
            @task
            def extract():
                return {"orders": [3, 4]}

            @task
            def transform(payload):
                return [n * 10 for n in payload["orders"]]

            @task
            def load(values):
                import sys
                print(f"loaded {sum(values)}")
                print("a warning", file=sys.stderr)
                return sum(values)

            load(transform(extract()))

        etl()
    ''')
    wait_registered(lite, "etl")
    run = trigger(lite, "etl", conf={"k": "v"})
    assert run["dag_run_id"].startswith("manual__") and run["conf"] == {"k": "v"}
    assert run["logical_date"] is None and run["run_type"] == "manual"
    done = wait_run(lite, "etl", run["dag_run_id"])
    assert done["state"] == "success" and done["start_date"] and done["end_date"]
    assert task_states(lite, "etl", run["dag_run_id"]) == {"extract": "success", "transform": "success",
                                                           "load": "success"}
    assert xcom(lite, "etl", run["dag_run_id"], "transform") == [30, 40]
    assert xcom(lite, "etl", run["dag_run_id"], "load") == 70
    events = log_events(lite, "etl", run["dag_run_id"], "load")
    stdout = [e for e in events if e.get("logger") == "task.stdout"]
    stderr = [e for e in events if e.get("logger") == "task.stderr"]
    assert any(e["event"] == "loaded 70" for e in stdout)
    assert any(e["event"] == "a warning" for e in stderr)
    assert all("timestamp" in e for e in stdout + stderr)
    assert any("Starting try 1" in e.get("event", "") for e in events)
    assert any("ended with exit status 0" in e.get("event", "") for e in events)
    ti = task_instance(lite, "etl", run["dag_run_id"], "load")
    assert ti["try_number"] == 1 and ti["pid"] and ti["duration"] is not None and ti["hostname"]


def test_bash_last_line_is_the_xcom(lite):
    write_project(lite.dags, "bashy", '''
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("bashy", schedule=None):
            BashOperator(task_id="say", bash_command="echo first; echo 'run={{ run_id }}'")
            BashOperator(task_id="skipme", bash_command="exit 99")
            BashOperator(task_id="boom", bash_command="echo about to fail; exit 3", retries=0)
    ''')
    wait_registered(lite, "bashy")
    run = trigger(lite, "bashy")
    wait_run(lite, "bashy", run["dag_run_id"])
    states = task_states(lite, "bashy", run["dag_run_id"])
    assert states == {"say": "success", "skipme": "skipped", "boom": "failed"}
    assert xcom(lite, "bashy", run["dag_run_id"], "say") == "run=" + run["dag_run_id"]
    assert "about to fail" in log_text(lite, "bashy", run["dag_run_id"], "boom")


RULES = ["all_success", "all_failed", "all_done", "all_done_min_one_success", "all_skipped", "one_success",
         "one_failed", "one_done", "none_failed", "none_failed_min_one_success", "none_skipped", "always"]

# Upstream outcomes (ok = success, bad = failed, skip = skipped) → the state
# Airflow gives a downstream task with each rule.
EXPECTED = {
    ("ok", "bad"): {"all_success": "upstream_failed", "all_failed": "skipped", "all_done": "success",
                    "all_done_min_one_success": "success", "all_skipped": "skipped", "one_success": "success",
                    "one_failed": "success", "one_done": "success", "none_failed": "upstream_failed",
                    "none_failed_min_one_success": "upstream_failed", "none_skipped": "success",
                    "always": "success"},
    ("ok", "skip"): {"all_success": "skipped", "all_failed": "skipped", "all_done": "success",
                     "all_done_min_one_success": "skipped", "all_skipped": "skipped", "one_success": "success",
                     "one_failed": "skipped", "one_done": "success", "none_failed": "success",
                     "none_failed_min_one_success": "success", "none_skipped": "skipped", "always": "success"},
    ("skip", "skip"): {"all_success": "skipped", "all_failed": "skipped", "all_done": "success",
                       "all_done_min_one_success": "skipped", "all_skipped": "success", "one_success": "skipped",
                       "one_failed": "skipped", "one_done": "skipped", "none_failed": "success",
                       "none_failed_min_one_success": "skipped", "none_skipped": "skipped", "always": "success"},
    ("bad", "bad"): {"all_success": "upstream_failed", "all_failed": "success", "all_done": "success",
                     "all_done_min_one_success": "upstream_failed", "all_skipped": "skipped",
                     "one_success": "upstream_failed", "one_failed": "success", "one_done": "success",
                     "none_failed": "upstream_failed", "none_failed_min_one_success": "upstream_failed",
                     "none_skipped": "success", "always": "success"},
}


def test_every_trigger_rule_end_to_end(lite):
    lines = ["from airflow.sdk import DAG, task",
             "from airflow.exceptions import AirflowSkipException, AirflowFailException",
             "with DAG('rules', schedule=None):",
             "    @task(task_id='ok')",
             "    def ok(): return 1",
             "    @task(task_id='bad', retries=0)",
             "    def bad(): raise AirflowFailException('no')",
             "    @task(task_id='bad2', retries=0)",
             "    def bad2(): raise AirflowFailException('no')",
             "    @task(task_id='skip')",
             "    def skip(): raise AirflowSkipException('not today')",
             "    @task(task_id='skip2')",
             "    def skip2(): raise AirflowSkipException('not today')",
             "    up = {'ok': ok(), 'bad': bad(), 'bad2': bad2(), 'skip': skip(), 'skip2': skip2()}",
             "    @task",
             "    def target(): return 'ran'"]
    second = {"ok": "ok", "bad": "bad2", "skip": "skip2"}
    for (a, b), rules in EXPECTED.items():
        b_task = second[b] if a == b else b
        for rule in rules:
            tid = f"{a}_{b}_{rule}"
            lines.append(f"    target.override(task_id='{tid}', trigger_rule='{rule}')() << [up['{a}'], up['{b_task}']]")
    write_project(lite.dags, "rules", "\n".join(lines) + "\n")
    wait_registered(lite, "rules")
    run = trigger(lite, "rules")
    wait_run(lite, "rules", run["dag_run_id"], timeout=180)
    states = task_states(lite, "rules", run["dag_run_id"])
    mismatches = []
    for (a, b), rules in EXPECTED.items():
        for rule, want in rules.items():
            got = states[f"{a}_{b}_{rule}"]
            if got != want:
                mismatches.append(f"{rule} after ({a}, {b}): got {got}, want {want}")
    assert not mismatches, "\n".join(mismatches)


def test_retry_then_success_keeps_every_try(lite, tmp_path):
    marker = tmp_path / "tried-once"
    write_project(lite.dags, "flaky", f'''
        import os
        from datetime import timedelta
        from airflow.sdk import DAG, task
        with DAG("flaky", schedule=None):
            @task(retries=2, retry_delay=timedelta(seconds=0))
            def wobble(**context):
                print("try", context["ti"].try_number)
                if not os.path.exists({str(marker)!r}):
                    open({str(marker)!r}, "w").close()
                    raise RuntimeError("first try fails")
                return context["ti"].try_number
            wobble()
    ''')
    wait_registered(lite, "flaky")
    run = trigger(lite, "flaky")
    assert wait_run(lite, "flaky", run["dag_run_id"])["state"] == "success"
    ti = task_instance(lite, "flaky", run["dag_run_id"], "wobble")
    assert ti["try_number"] == 2 and ti["max_tries"] == 2
    assert xcom(lite, "flaky", run["dag_run_id"], "wobble") == 2
    base = f"/api/v2/dags/flaky/dagRuns/{q(run['dag_run_id'])}/taskInstances/wobble"
    status, tries = lite.get(base + "/tries")
    assert status == 200 and [t["try_number"] for t in tries["task_instances"]] == [1, 2]
    assert [t["state"] for t in tries["task_instances"]] == ["up_for_retry", "success"]
    assert "first try fails" in log_text(lite, "flaky", run["dag_run_id"], "wobble", try_number=1)
    assert "try 2" in log_text(lite, "flaky", run["dag_run_id"], "wobble", try_number=2)
    assert lite.get(base + "/tries/1")[1]["state"] == "up_for_retry"


def test_execution_timeout_kills_the_process_group(lite, tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    write_project(lite.dags, "slow", f'''
        from datetime import timedelta
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.bash import BashOperator
        with DAG("slow", schedule=None):
            BashOperator(task_id="hang", retries=0, execution_timeout=timedelta(seconds=2),
                         bash_command="(sleep 300 & echo $! > {pid_file}; wait) & sleep 300")
    ''')
    wait_registered(lite, "slow")
    run = trigger(lite, "slow")
    done = wait_run(lite, "slow", run["dag_run_id"], timeout=60)
    assert done["state"] == "failed"
    assert task_states(lite, "slow", run["dag_run_id"]) == {"hang": "failed"}
    grandchild = int(wait_until(lambda: pid_file.exists() and pid_file.read_text().strip()))
    wait_until(lambda: not pid_alive(grandchild), 15, f"grandchild {grandchild} survived the timeout")
    assert "timed out" in log_text(lite, "slow", run["dag_run_id"], "hang").lower() or \
        "execution_timeout" in log_text(lite, "slow", run["dag_run_id"], "hang")


def test_clear_and_rerun(lite, tmp_path):
    flag = tmp_path / "fixed"
    write_project(lite.dags, "fixme", f'''
        import os
        from airflow.sdk import DAG, task
        with DAG("fixme", schedule=None):
            @task(retries=0)
            def check():
                if not os.path.exists({str(flag)!r}):
                    raise ValueError("not fixed yet")
                return "fixed"
            @task
            def after(x):
                return x + "!"
            after(check())
    ''')
    wait_registered(lite, "fixme")
    run = trigger(lite, "fixme")
    run_id = run["dag_run_id"]
    assert wait_run(lite, "fixme", run_id)["state"] == "failed"
    assert task_states(lite, "fixme", run_id) == {"check": "failed", "after": "upstream_failed"}
    # A dry run changes nothing.
    status, preview = lite.request("POST", "/api/v2/dags/fixme/clearTaskInstances",
                                   {"dag_run_id": run_id, "task_ids": ["check"], "include_downstream": True,
                                    "only_failed": False})
    assert status == 200 and {t["task_id"] for t in preview["task_instances"]} == {"check", "after"}
    assert task_states(lite, "fixme", run_id)["check"] == "failed"
    flag.write_text("yes")
    status, cleared = lite.request("POST", "/api/v2/dags/fixme/clearTaskInstances",
                                   {"dag_run_id": run_id, "task_ids": ["check"], "include_downstream": True,
                                    "only_failed": False, "dry_run": False})
    assert status == 200 and cleared["total_entries"] == 2
    assert wait_run(lite, "fixme", run_id)["state"] == "success"
    assert xcom(lite, "fixme", run_id, "after") == "fixed!"
    assert task_instance(lite, "fixme", run_id, "check")["try_number"] == 2
    # And the same through the run's clear endpoint.
    status, again = lite.request("POST", f"/api/v2/dags/fixme/dagRuns/{q(run_id)}/clear", {"dry_run": False})
    assert status == 200 and again["dag_run_id"] == run_id
    assert wait_run(lite, "fixme", run_id)["state"] == "success"
    assert task_instance(lite, "fixme", run_id, "check")["try_number"] == 3
    events = lite.get("/api/v2/eventLogs?dag_id=fixme&event=clear")[1]
    assert events["total_entries"] >= 2


def test_marking_a_run_failed_stops_its_running_task(lite):
    write_project(lite.dags, "sleepy", '''
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.bash import BashOperator
        with DAG("sleepy", schedule=None):
            BashOperator(task_id="nap", bash_command="sleep 300") >> BashOperator(task_id="next", bash_command="true")
    ''')
    wait_registered(lite, "sleepy")
    run = trigger(lite, "sleepy")
    run_id = run["dag_run_id"]
    ti = wait_until(lambda: (lambda t: t if t["state"] == "running" and t["pid"] else None)(
        task_instance(lite, "sleepy", run_id, "nap")), 60)
    status, marked = lite.request("PATCH", f"/api/v2/dags/sleepy/dagRuns/{q(run_id)}", {"state": "failed"})
    assert status == 200 and marked["state"] == "failed"
    wait_until(lambda: not pid_alive(ti["pid"]), 20, "the task process survived")
    assert task_states(lite, "sleepy", run_id) == {"nap": "failed", "next": "skipped"}
    assert lite.get(f"/api/v2/dags/sleepy/dagRuns/{q(run_id)}")[1]["state"] == "failed"


def test_run_api_errors_and_filters(lite):
    write_project(lite.dags, "tiny", '''
        from airflow.sdk import DAG, Param
        from airflow.providers.standard.operators.empty import EmptyOperator
        with DAG("tiny", schedule=None, params={"n": Param(1, type="integer")}):
            EmptyOperator(task_id="only")
    ''')
    wait_registered(lite, "tiny")
    run = trigger(lite, "tiny", dag_run_id="my_run", logical_date="2026-01-02T03:04:05Z", note="hello")
    assert run["dag_run_id"] == "my_run" and run["logical_date"] == "2026-01-02T03:04:05Z"
    assert run["data_interval_start"] == "2026-01-02T03:04:05Z" and run["note"] == "hello"
    assert wait_run(lite, "tiny", "my_run")["state"] == "success"
    # The empty operator finished without a process.
    assert task_instance(lite, "tiny", "my_run", "only")["pid"] is None
    assert lite.request("POST", "/api/v2/dags/tiny/dagRuns", {"dag_run_id": "my_run"})[0] == 409
    assert lite.request("POST", "/api/v2/dags/nope/dagRuns", {})[0] == 404
    assert lite.request("POST", "/api/v2/dags/tiny/dagRuns", {"conf": [1]})[0] == 422
    assert lite.request("POST", "/api/v2/dags/tiny/dagRuns", {"conf": {"n": "x"}})[0] == 400
    assert lite.request("POST", "/api/v2/dags/tiny/dagRuns", {"logical_date": "yesterday"})[0] == 422
    assert lite.request("POST", "/api/v2/dags/tiny/dagRuns", {"surprise": 1})[0] == 422
    assert lite.get("/api/v2/dags/tiny/dagRuns/nope")[0] == 404
    body = lite.get("/api/v2/dags/tiny/dagRuns?state=success&order_by=-run_after")[1]
    assert body["total_entries"] >= 1 and body["dag_runs"][0]["state"] == "success"
    assert lite.get("/api/v2/dags/tiny/dagRuns?state=bogus")[0] == 422
    assert lite.get("/api/v2/dags/~/dagRuns?limit=1")[1]["total_entries"] >= 1
    assert lite.get("/api/v2/dags/tiny/dagRuns?logical_date_gte=2026-01-01&logical_date_lte=2026-01-03")[1][
        "total_entries"] == 1
    stats = lite.get("/api/v2/dagStats?dag_ids=tiny")[1]
    assert {s["state"]: s["count"] for s in stats["dags"][0]["stats"]}["success"] >= 1
    status, _ = lite.request("DELETE", "/api/v2/dags/tiny/dagRuns/my_run")
    assert status == 204 and lite.get("/api/v2/dags/tiny/dagRuns/my_run")[0] == 404
    status, logs = lite.request("GET", "/api/v2/eventLogs?dag_id=tiny&event=trigger")
    assert status == 200 and logs["total_entries"] >= 1


def test_variables_and_connections_reach_tasks(lite):
    assert lite.request("POST", "/api/v2/variables", {"key": "greeting", "value": "hi"})[0] == 201
    assert lite.request("POST", "/api/v2/variables", {"key": "greeting", "value": "again"})[0] == 409
    assert lite.request("POST", "/api/v2/connections",
                        {"connection_id": "warehouse", "conn_type": "postgres", "host": "db.local",
                         "login": "me", "password": "secret", "port": 5432})[0] == 201
    conn = lite.get("/api/v2/connections/warehouse")[1]
    assert conn["host"] == "db.local" and conn["password"] == "***"
    write_project(lite.dags, "uses_config", '''
        from airflow.sdk import DAG, task, Variable, BaseHook
        with DAG("uses_config", schedule=None):
            @task
            def read():
                c = BaseHook.get_connection("warehouse")
                Variable.set("written_by_task", "yes")
                return f"{Variable.get('greeting')} {c.host}:{c.port} {c.password} {c.password[::-1]}"
            read()
    ''')
    wait_registered(lite, "uses_config")
    run = trigger(lite, "uses_config")
    assert wait_run(lite, "uses_config", run["dag_run_id"])["state"] == "success"
    # The task got the password; the API shows it masked (docs/security.md).
    assert xcom(lite, "uses_config", run["dag_run_id"], "read") == "hi db.local:5432 *** terces"
    assert lite.get("/api/v2/variables/written_by_task")[1]["value"] == "yes"
    assert lite.request("DELETE", "/api/v2/variables/greeting")[0] == 204
    assert lite.get("/api/v2/variables/greeting")[0] == 404


def test_scheduled_runs_follow_the_cron_schedule(lite):
    write_project(lite.dags, "every_minute", '''
        from datetime import datetime
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.empty import EmptyOperator
        with DAG("every_minute", schedule="* * * * *", start_date=datetime(2025, 1, 1), catchup=False):
            EmptyOperator(task_id="tick")
    ''')
    wait_registered(lite, "every_minute")

    def scheduled():
        body = lite.get("/api/v2/dags/every_minute/dagRuns?run_type=scheduled")[1]
        return body["dag_runs"] if body["total_entries"] >= 1 else None
    runs = wait_until(scheduled, 30, lite.output)
    run = runs[0]
    assert run["run_id" if "run_id" in run else "dag_run_id"].startswith("scheduled__")
    assert run["logical_date"] == run["data_interval_start"] == run["data_interval_end"] == run["run_after"]
    assert run["triggered_by"] == "timetable"
    dag = lite.get("/api/v2/dags/every_minute")[1]
    assert dag["timetable_summary"] == "* * * * *" and dag["next_dagrun_run_after"]
    assert dag["timetable_description"] == "Every minute"


def test_paused_dags_start_nothing_until_unpaused(lite):
    for dag_id in ("pausable", "probe"):
        write_project(lite.dags, dag_id, f'''
            from airflow.sdk import DAG, task
            with DAG("{dag_id}", schedule=None):
                @task
                def hello():
                    return "hi"
                hello()
        ''')
        wait_registered(lite, dag_id)
    assert lite.request("PATCH", "/api/v2/dags/pausable", {"is_paused": True})[1]["is_paused"] is True
    run_id = trigger(lite, "pausable")["dag_run_id"]
    # The scheduler looks at runs in the order they were created: once the
    # probe's later run has finished, the paused run has been looked at.
    probe = trigger(lite, "probe")["dag_run_id"]
    wait_run(lite, "probe", probe)
    assert lite.get(f"/api/v2/dags/pausable/dagRuns/{q(run_id)}")[1]["state"] == "queued"
    lite.request("PATCH", "/api/v2/dags/pausable", {"is_paused": False})
    assert wait_run(lite, "pausable", run_id)["state"] == "success"


def test_tasks_do_not_see_the_servers_secrets(tmp_path):
    dags = tmp_path / "dags"
    write_project(dags, "envcheck", '''
        import os
        from airflow.sdk import DAG, task
        with DAG("envcheck", schedule=None):
            @task
            def look():
                return {k: os.environ.get(k) for k in ("SECRET_API_TOKEN", "AIRFLOW_VAR_COLOR", "HOME", "PATH")}
            look()
    ''')
    env = {"SECRET_API_TOKEN": "do-not-leak", "AIRFLOW_VAR_COLOR": "blue"}
    with Lite(dags, env=env) as server:
        wait_registered(server, "envcheck")
        run_id = trigger(server, "envcheck")["dag_run_id"]
        assert wait_run(server, "envcheck", run_id)["state"] == "success"
        seen = xcom(server, "envcheck", run_id, "look")
        assert seen["SECRET_API_TOKEN"] is None
        assert seen["AIRFLOW_VAR_COLOR"] == "blue"
        assert seen["PATH"] and seen["HOME"]
