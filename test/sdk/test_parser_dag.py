"""Parser: DAG-level fields, params, warnings, several DAGs, determinism and output isolation."""
import os
import subprocess

import pytest

from conftest import PYTHON, parse_ok, run_parser, sdk_env, tasks_of, write_dag

SCHEDULE_CASES = [
    ("cron", 'schedule="0 6 * * *"', "0 6 * * *", "0 6 * * *"),
    # Airflow shows a cron preset's expression as the summary.
    ("preset", 'schedule="@daily"', "@daily", "0 0 * * *"),
    ("quarterly preset", 'schedule="@quarterly"', "0 0 1 */3 *", "0 0 1 */3 *"),
    ("annually preset", 'schedule="@annually"', "@yearly", "0 0 1 1 *"),
    ("once", 'schedule="@once"', "@once", "@once"),
    ("timedelta", "schedule=timedelta(hours=1)", {"timedelta": 3600}, "1:00:00"),
    ("none", "schedule=None", None, None),
    ("default is none", "", None, None),
    ("Airflow 2 schedule_interval", 'schedule_interval="@hourly"', "@hourly", "0 * * * *"),
]


@pytest.mark.parametrize("name,argument,schedule,summary", SCHEDULE_CASES, ids=[c[0] for c in SCHEDULE_CASES])
def test_schedules(dag_dir, name, argument, schedule, summary):
    spec = parse_ok(write_dag(dag_dir, f"""
        from datetime import datetime, timedelta
        from airflow import DAG
        with DAG("d", start_date=datetime(2025, 1, 1), {argument}):
            pass
        """))
    dag = spec["dags"][0]
    assert (dag["schedule"], dag["timetable_summary"]) == (schedule, summary)


def test_dag_fields(dag_dir):
    spec = parse_ok(write_dag(dag_dir, '''
        from datetime import datetime, timedelta, timezone
        from airflow.sdk import DAG, Param
        from airflow.operators.empty import EmptyOperator

        with DAG(
            dag_id="fields",
            description="what it does",
            doc_md="""
                # Title
                  indented
            """,
            schedule="@daily",
            start_date=datetime(2025, 1, 1, 6, tzinfo=timezone(timedelta(hours=2))),
            end_date=datetime(2026, 1, 1),
            catchup=True,
            max_active_runs=3,
            max_active_tasks=5,
            max_consecutive_failed_dag_runs=2,
            dagrun_timeout=timedelta(minutes=90),
            tags=["b", "a", "b"],
            default_args={"owner": "data", "retries": 1, "retry_delay": timedelta(seconds=30),
                          "on_failure_callback": print},
            params={"n": Param(5, type="integer", minimum=1, description="how many"), "plain": "x"},
            render_template_as_native_obj=True,
            is_paused_upon_creation=False,
        ):
            EmptyOperator(task_id="t")
        '''))
    dag = spec["dags"][0]
    assert dag["dag_id"] == "fields"
    assert dag["fileloc"] == os.path.join(str(dag_dir), "dag.py")
    assert dag["description"] == "what it does"
    assert dag["doc_md"] == "# Title\n  indented"
    assert dag["start_date"] == "2025-01-01T04:00:00Z"
    assert dag["end_date"] == "2026-01-01T00:00:00Z"
    assert (dag["catchup"], dag["max_active_runs"], dag["max_active_tasks"]) == (True, 3, 5)
    assert dag["max_consecutive_failed_dag_runs"] == 2
    assert dag["dagrun_timeout"] == 5400
    assert dag["tags"] == ["a", "b"]
    assert dag["owner"] == "data"
    assert dag["params"] == {
        "n": {"value": 5, "schema": {"type": "integer", "minimum": 1}, "description": "how many"},
        "plain": {"value": "x", "schema": {}, "description": None},
    }
    assert dag["default_args"] == {
        "owner": "data", "retries": 1,
        "retry_delay": {"__type": "TimeDelta", "days": 0, "seconds": 30, "microseconds": 0},
        "on_failure_callback": "print",
    }
    assert dag["render_template_as_native_obj"] is True
    assert dag["is_paused_upon_creation"] is False
    task = tasks_of(spec)["t"]
    assert (task["owner"], task["retries"], task["retry_delay"]) == ("data", 1, 30)
    assert task["start_date"] == "2025-01-01T04:00:00Z"


def test_defaults(dag_dir):
    spec = parse_ok(write_dag(dag_dir, """
        from airflow.sdk import DAG
        with DAG("plain"):
            pass
        """))
    dag = spec["dags"][0]
    assert (dag["catchup"], dag["max_active_runs"], dag["max_active_tasks"], dag["owner"]) == (False, 16, 16, "airflow")
    assert (dag["start_date"], dag["schedule"], dag["tags"], dag["warnings"]) == (None, None, [], [])


def test_dag_decorator_arguments_become_params(dag_dir):
    spec = parse_ok(write_dag(dag_dir, '''
        from airflow.decorators import dag, task

        @dag(dag_id="decorated", tags=["x"])
        def build(size=3, label="big"):
            """Builds things."""
            @task
            def show(n):
                return n
            show(size)

        build()
        '''))
    dag = spec["dags"][0]
    assert dag["dag_id"] == "decorated"
    assert dag["doc_md"] == "Builds things."
    assert dag["params"] == {"size": {"value": 3, "schema": {}, "description": None},
                             "label": {"value": "big", "schema": {}, "description": None}}
    assert tasks_of(spec)["show"]["arguments"] == {"n": {"param": "size"}}


def test_unused_task_warning(dag_dir):
    path = write_dag(dag_dir, """
        from airflow.sdk import dag, task, DAG

        @task
        def shared():
            return 1

        with DAG("ctx"):
            @task
            def used():
                return 1

            @task
            def validate():
                return 2

            @task
            def overridden():
                return 3

            used()
            overridden.override(task_id="other")()

        @dag
        def decorated():
            @task(task_id="never")
            def unused_inside():
                return 4

        decorated()
        """)
    spec = parse_ok(path)
    by_id = {dag["dag_id"]: dag for dag in spec["dags"]}
    assert by_id["ctx"]["warnings"] == [
        {"type": "unused_task", "message": "task 'validate' is defined but never called (dag.py:12)"}]
    assert by_id["decorated"]["warnings"] == [
        {"type": "unused_task", "message": "task 'never' is defined but never called (dag.py:25)"}]
    assert "validate" not in tasks_of(spec, list(by_id).index("ctx"))


def test_several_dags_in_one_file(dag_dir):
    spec = parse_ok(write_dag(dag_dir, """
        from airflow import DAG
        from airflow.decorators import dag
        from airflow.operators.empty import EmptyOperator

        first = DAG("first")
        EmptyOperator(task_id="a", dag=first)

        with DAG("second"):
            EmptyOperator(task_id="b")

        @dag
        def third():
            EmptyOperator(task_id="c")
        third()

        def not_registered():
            return DAG("hidden", auto_register=False)
        not_registered()
        """))
    assert sorted(dag["dag_id"] for dag in spec["dags"]) == ["first", "second", "third"]


def test_file_without_dags(dag_dir):
    spec = parse_ok(write_dag(dag_dir, "x = 1\n"))
    assert spec["dags"] == [] and spec["spec_version"] == 1


def test_output_is_deterministic(dag_dir):
    path = write_dag(dag_dir, """
        from airflow.sdk import DAG, task
        with DAG("d", tags=["z", "y", "x"], params={"b": 1, "a": 2}):
            @task
            def a(): return {1, 2}
            @task
            def b(x, y): return x
            b(a(), {"s": {3, 1, 2}})
        """)
    outputs = {run_parser(path)[2] for _ in range(3)}
    assert len(outputs) == 1


def test_user_output_never_reaches_stdout(dag_dir):
    path = write_dag(dag_dir, """
        import os, subprocess, sys
        print("from print")
        sys.stdout.write("from sys.stdout\\n")
        os.write(1, b"from fd 1\\n")
        subprocess.run(["echo", "from a child"])
        from airflow import DAG
        with DAG("noisy"):
            pass
        print("no newline", end="")
        """)
    code, spec, stdout, stderr = run_parser(path)
    assert code == 0 and spec["dags"][0]["dag_id"] == "noisy"
    for text in ("from print", "from sys.stdout", "from fd 1", "from a child", "no newline"):
        assert text in stderr and text not in stdout


def test_sibling_modules_import(dag_dir):
    write_dag(dag_dir, "NAME = 'from_sibling'\n", name="settings_mod.py")
    (dag_dir / "pkg").mkdir()
    write_dag(dag_dir / "pkg", "def make(): return 'pkg'\n", name="__init__.py")
    spec = parse_ok(write_dag(dag_dir, """
        from airflow import DAG
        from settings_mod import NAME
        from pkg import make
        with DAG(NAME + "_" + make()):
            pass
        assert __file__.endswith("dag.py")
        """))
    assert spec["dags"][0]["dag_id"] == "from_sibling_pkg"


def test_variable_from_environment_at_parse_time(dag_dir):
    path = write_dag(dag_dir, """
        from airflow.sdk import DAG, Variable
        with DAG(Variable.get("dag_name")):
            pass
        """)
    spec = parse_ok(path, env={"AIRFLOW_VAR_DAG_NAME": "from_env"})
    assert spec["dags"][0]["dag_id"] == "from_env"


def test_pendulum_dates_without_pendulum_installed(dag_dir):
    spec = parse_ok(write_dag(dag_dir, """
        import pendulum
        from airflow.sdk import DAG
        with DAG("p", start_date=pendulum.datetime(2025, 3, 1, tz="Europe/Paris"),
                 dagrun_timeout=pendulum.duration(hours=2), schedule="@daily"):
            pass
        """))
    dag = spec["dags"][0]
    assert (dag["start_date"], dag["dagrun_timeout"]) == ("2025-02-28T23:00:00Z", 7200)


def test_bytecode_caches_stay_out_of_the_project(dag_dir, tmp_path):
    write_dag(dag_dir, "VALUE = 1\n", name="sibling.py")
    path = write_dag(dag_dir, "from sibling import VALUE\nfrom airflow import DAG\nDAG('cached')\n")
    env = sdk_env({"LEOFLOW_HOME": str(tmp_path / "home")})
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run([PYTHON, "-m", "leoflow_parser", path], capture_output=True, text=True,
                            cwd=str(dag_dir), env=env)
    assert result.returncode == 0, result.stderr
    assert not (dag_dir / "__pycache__").exists()
    assert (tmp_path / "home" / "dev" / "pycache").is_dir()


def test_threads_left_running_do_not_keep_the_parser_alive(dag_dir):
    path = write_dag(dag_dir, """
        import threading
        from airflow import DAG
        threading.Thread(target=threading.Event().wait).start()
        dag = DAG("threaded")
        """)
    result = subprocess.run([PYTHON, "-m", "leoflow_parser", path], capture_output=True, text=True,
                            cwd=str(dag_dir), env=sdk_env(), timeout=60)
    assert result.returncode == 0 and '"threaded"' in result.stdout
