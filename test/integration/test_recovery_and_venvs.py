"""A server killed with SIGKILL mid-run comes back and settles what it left
running (failed with a log line saying why) while queued work continues; two
DAGs pin conflicting versions of one package and each imports its own, from
their own virtualenvs, installed offline from a local wheel folder."""
import os
import signal

from lite import Lite, q, wait_until
from runs import log_text, pid_alive, task_instance, task_states, trigger, wait_registered, wait_run, write_project, xcom
from wheels import build_wheel


def test_kill_9_mid_run_then_restart(tmp_path):
    dags = tmp_path / "dags"
    home = tmp_path / "home"
    write_project(dags, "crashy", '''
        from airflow.sdk import DAG, task
        from airflow.providers.standard.operators.bash import BashOperator
        with DAG("crashy", schedule=None, max_active_runs=1):
            BashOperator(task_id="work", retries=0,
                         bash_command="{% if dag_run.conf.get('slow') %}sleep 300{% else %}echo quick{% endif %}")
    ''')
    with Lite(dags, home=str(home)) as lite:
        wait_registered(lite, "crashy")
        first = trigger(lite, "crashy", conf={"slow": True})["dag_run_id"]
        second = trigger(lite, "crashy", conf={})["dag_run_id"]
        ti = wait_until(lambda: (lambda t: t if t["state"] == "running" and t["pid"] else None)(
            task_instance(lite, "crashy", first, "work")), 60, lite.output)
        # The second run waits for max_active_runs.
        assert lite.get(f"/api/v2/dags/crashy/dagRuns/{q(second)}")[1]["state"] == "queued"
        lite.stop(signal.SIGKILL)
    # The task process was orphaned, not killed, by the crash.
    assert pid_alive(ti["pid"])
    with Lite(dags, home=str(home)) as lite:
        done = wait_run(lite, "crashy", first, timeout=60)
        assert done["state"] == "failed"
        assert task_states(lite, "crashy", first) == {"work": "failed"}
        assert "Leoflow stopped while this try was running" in log_text(lite, "crashy", first, "work")
        wait_until(lambda: not pid_alive(ti["pid"]), 20, "the orphaned task was not stopped")
        # Queued work continues.
        assert wait_run(lite, "crashy", second, timeout=60)["state"] == "success"
        assert xcom(lite, "crashy", second, "work") == "quick"
        lite.wait_for_line(r"recovered 1 task instance")


PIN_DAG = '''
    from airflow.sdk import DAG, task
    import pinned  # the project's own dependency, importable at parse time too

    with DAG("{dag_id}", schedule=None):
        @task
        def which():
            import pinned as p
            return p.VERSION
        which()
'''


def test_two_dags_pin_conflicting_versions(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "pinned", "1.0", 'VERSION = "1.0"\n')
    build_wheel(wheels, "pinned", "2.0", 'VERSION = "2.0"\n')
    dags = tmp_path / "dags"
    write_project(dags, "old_pin", PIN_DAG.format(dag_id="old_pin"), requirements=["pinned==1.0"])
    write_project(dags, "new_pin", PIN_DAG.format(dag_id="new_pin"), requirements=["pinned==2.0"])
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    with Lite(dags, env=env) as lite:
        for dag_id in ("old_pin", "new_pin"):
            wait_registered(lite, dag_id, timeout=180)
        runs = {dag_id: trigger(lite, dag_id)["dag_run_id"] for dag_id in ("old_pin", "new_pin")}
        for dag_id, run_id in runs.items():
            assert wait_run(lite, dag_id, run_id, timeout=300)["state"] == "success", lite.output()
        assert xcom(lite, "old_pin", runs["old_pin"], "which") == "1.0"
        assert xcom(lite, "new_pin", runs["new_pin"], "which") == "2.0"
        home = lite.home
        for dag_id in ("old_pin", "new_pin"):
            assert os.path.exists(os.path.join(home, "dev", "venvs", dag_id, "bin", "python"))
        lite.wait_for_line(r"old_pin: virtualenv ready with pinned==1.0")

        # Changing one DAG's pin re-installs that venv only.
        marker_new = os.path.join(home, "dev", "venvs", "new_pin", "leoflow-venv.json")
        before = os.stat(marker_new).st_mtime_ns
        (dags / "old_pin" / "requirements.txt").write_text("pinned==2.0\n")
        lite.wait_for_line(r"old_pin: virtualenv ready with pinned==2.0", timeout=300)
        assert os.stat(marker_new).st_mtime_ns == before
        run_id = trigger(lite, "old_pin")["dag_run_id"]
        assert wait_run(lite, "old_pin", run_id, timeout=300)["state"] == "success"
        assert xcom(lite, "old_pin", run_id, "which") == "2.0"


def test_a_broken_requirement_is_an_import_error_and_fails_tasks(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    dags = tmp_path / "dags"
    write_project(dags, "unmet", '''
        from airflow.sdk import DAG, task
        with DAG("unmet", schedule=None):
            @task
            def nothing():
                return 1
            nothing()
    ''', requirements=["definitely-not-a-package==9.9"])
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}
    with Lite(dags, env=env) as lite:
        wait_registered(lite, "unmet")

        def error():
            body = lite.get("/api/v2/importErrors")[1]
            return body["import_errors"] if body["total_entries"] else None
        errors = wait_until(error, 180, lite.output)
        assert "definitely-not-a-package" in errors[0]["stack_trace"]
        assert lite.get("/api/v2/dags/unmet")[1]["has_import_errors"] is True
        run_id = trigger(lite, "unmet")["dag_run_id"]
        assert wait_run(lite, "unmet", run_id, timeout=120)["state"] == "failed"
        assert "definitely-not-a-package" in log_text(lite, "unmet", run_id, "nothing")
