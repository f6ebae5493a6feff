"""Parsers and tasks that misbehave — killed by a signal, printing 100 MB,
closing their stdout early — are reported (an import error, a failed try with
a log line saying why) and the watcher, the executor and the server go on."""
import glob
import os

from faults import integrity_check
from lite import Lite, wait_until
from runs import log_text, task_states, trigger, wait_registered, wait_run, write_project, xcom

HUNDRED_MB = 100 << 20

GOOD = '''
    from airflow.sdk import DAG, task
    with DAG("{dag_id}", schedule=None):
        @task
        def fine():
            return "fine"
        fine()
'''

# Each broken DAG file does its damage at import, i.e. inside the parser.
PARSER_FAULTS = {
    "parser_killed": '''
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    ''',
    "parser_floods": '''
        import sys
        line = "x" * 1023 + "\\n"
        for _ in range(100 * 1024):
            sys.stdout.write(line)
    ''',
    # The parser's stdout (whatever descriptor carries the spec) closes, and
    # the process then exits 0 without a spec.
    "parser_closes_stdout": '''
        import os
        os.close(0)
        os.close(1)
        os.closerange(3, 1024)
        os._exit(0)
    ''',
}

TASK_FAULTS = '''
    import os, signal, sys
    from airflow.sdk import DAG, task

    with DAG("task_faults", schedule=None, default_args={"retries": 0}):
        @task
        def killed():
            print("about to die", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        @task
        def floods():
            line = "y" * 1023 + "\\n"
            for _ in range(100 * 1024):
                sys.stdout.write(line)
            return "flooded"

        @task
        def closes_stdout():
            print("closing stdout", flush=True)
            sys.stdout.flush()
            os.close(1)
            return "closed"

        killed()
        floods()
        closes_stdout()
'''


def import_errors(lite):
    status, body = lite.get("/api/v2/importErrors?limit=100")
    assert status == 200, body
    return {os.path.basename(os.path.dirname(e["filename"])): e["stack_trace"] for e in body["import_errors"]}


def test_misbehaving_parsers_become_import_errors(tmp_path):
    dags = tmp_path / "dags"
    for name, source in PARSER_FAULTS.items():
        write_project(dags, name, source)
    write_project(dags, "still_good", GOOD.format(dag_id="still_good"))
    with Lite(dags) as lite:
        wait_registered(lite, "still_good")
        errors = wait_until(lambda: (lambda e: e if set(PARSER_FAULTS) <= set(e) else None)(import_errors(lite)),
                            120, lambda: f"{import_errors(lite)}\n{lite.output()}")
        assert "killed by signal 9" in errors["parser_killed"], errors["parser_killed"]
        assert "printed more than 32 MiB" in errors["parser_floods"], errors["parser_floods"][:2000]
        assert len(errors["parser_floods"]) < (1 << 20)  # a bounded excerpt, not 100 MB
        assert "not JSON" in errors["parser_closes_stdout"], errors["parser_closes_stdout"]

        # The watcher goes on: a broken file fixed becomes a DAG, and its import
        # error goes away; the server still serves.
        write_project(dags, "parser_killed", GOOD.format(dag_id="was_killed"))
        wait_registered(lite, "was_killed")
        wait_until(lambda: "parser_killed" not in import_errors(lite), 60, lite.output)
        run_id = trigger(lite, "still_good")["dag_run_id"]
        assert wait_run(lite, "still_good", run_id)["state"] == "success"
        lite.stop()
        assert integrity_check(lite.home) == ["ok"]


def test_misbehaving_tasks_fail_or_finish_with_a_clear_log(tmp_path):
    dags = tmp_path / "dags"
    write_project(dags, "task_faults", TASK_FAULTS)
    with Lite(dags) as lite:
        wait_registered(lite, "task_faults")
        run_id = trigger(lite, "task_faults")["dag_run_id"]
        assert wait_run(lite, "task_faults", run_id, timeout=180)["state"] == "failed"
        assert task_states(lite, "task_faults", run_id) == {
            "killed": "failed", "floods": "success", "closes_stdout": "success"}

        killed_log = log_text(lite, "task_faults", run_id, "killed")
        assert "about to die" in killed_log
        assert "Task process ended with killed by signal 9 (SIGKILL)" in killed_log, killed_log

        # All 100 MB reach the try's log, followed by the executor's own lines.
        [flood_log] = glob.glob(os.path.join(lite.home, "dev", "logs", "task_faults", "*", "floods", "1.log"))
        assert os.path.getsize(flood_log) > HUNDRED_MB
        with open(flood_log, "rb") as f:
            f.seek(-4096, os.SEEK_END)
            tail = f.read().decode()
        assert "Task process ended with exit status 0" in tail, tail
        assert xcom(lite, "task_faults", run_id, "floods") == "flooded"

        assert "closing stdout" in log_text(lite, "task_faults", run_id, "closes_stdout")
        assert xcom(lite, "task_faults", run_id, "closes_stdout") == "closed"

        # The executor goes on.
        write_project(dags, "after", GOOD.format(dag_id="after"))
        wait_registered(lite, "after")
        after = trigger(lite, "after")["dag_run_id"]
        assert wait_run(lite, "after", after)["state"] == "success"
        lite.stop()
        assert integrity_check(lite.home) == ["ok"]
