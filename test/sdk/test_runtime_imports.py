"""The runtime stays cheap to start: a task try imports no heavy module it does not use (no timing
asserted), and the task log still reads as it did when `logging` was always configured up front."""
import json
import os

from conftest import PYTHON, imported_modules, run_task, task_payload, write_dag

HEAVY = {"json", "re", "enum", "inspect", "typing", "dataclasses", "jinja2", "logging", "subprocess",
         "tempfile", "hashlib", "textwrap", "ast", "tokenize", "traceback", "signal", "uuid", "random",
         "threading"}

DAG_SOURCE = """
from datetime import datetime
from airflow.sdk import DAG, task
from airflow.operators.python import PythonOperator

def classic(ti, ds, params):
    return [ti.xcom_pull(task_ids="extract"), ds, params["n"]]

with DAG("lean", start_date=datetime(2025, 1, 1), params={"n": 1}):
    @task
    def extract():
        return {"a": 1}

    @task(multiple_outputs=True)
    def transform(data, ti=None):
        ti.xcom_push(key="seen", value=data)
        return {"doubled": data["a"] * 2}

    transform(extract()) >> PythonOperator(task_id="classic", python_callable=classic)
"""

XCOMS = [{"task_id": "extract", "map_index": -1, "key": "return_value", "value": {"a": 1}}]


def test_python_tasks_import_nothing_heavy(dag_dir, tmp_path):
    path = write_dag(dag_dir, DAG_SOURCE)
    folder = os.path.dirname(path)
    # What `python -m` itself needs (runpy; on Python 3.9 that includes typing and re) does not count.
    baseline = imported_modules([PYTHON, "-X", "importtime", "-c", "import runpy"], folder)
    for task_id in ("extract", "transform", "classic"):
        command = [PYTHON, "-X", "importtime", "-m", "leoflow_runtime", "--result", str(tmp_path / "r.json")]
        imported = imported_modules(command, folder, json.dumps(task_payload(path, "lean", task_id, xcoms=XCOMS)))
        assert not HEAVY & (imported - baseline), (task_id, sorted(HEAVY & (imported - baseline)))
        with open(tmp_path / "r.json") as handle:
            assert json.load(handle)["state"] == "success"


def test_log_lines_are_the_same_with_and_without_logging_imported(dag_dir, tmp_path):
    source = """
        from airflow.sdk import DAG, task
        with DAG("logs"):
            @task
            def quiet():
                return 1
            quiet()
        """
    plain = write_dag(dag_dir, source, "plain.py")
    with_logging = write_dag(dag_dir, source.replace("from airflow", "import logging; from airflow"), "with_logging.py")
    _, _, plain_out, _ = run_task(plain, "logs", "quiet", tmp_path)
    _, _, logging_out, _ = run_task(with_logging, "logs", "quiet", tmp_path)
    assert plain_out == logging_out
    assert plain_out.startswith("{operators.py:") and plain_out.endswith("} INFO - Done. Returned value was: 1\n")


def test_logging_imported_inside_a_task_logs_into_the_task_log(dag_dir, tmp_path):
    path = write_dag(dag_dir, """
        from airflow.sdk import DAG, task
        with DAG("late"):
            @task
            def late():
                import logging
                logging.getLogger("mine").info("hello %s", "there")
                logging.getLogger("mine").debug("not shown")
                return None
            late()
        """)
    code, result, stdout, _ = run_task(path, "late", "late", tmp_path)
    assert code == 0 and result["state"] == "success"
    lines = stdout.splitlines()
    assert len(lines) == 2 and lines[0] == "{dag.py:6} INFO - hello there"
    assert lines[1].endswith("} INFO - Done. Returned value was: None")


def test_exception_lines_match_logging(dag_dir, tmp_path):
    source = """
        from airflow.sdk import DAG, task
        def callback(context):
            raise RuntimeError("callback broke")
        with DAG("cb"):
            @task(on_success_callback=callback)
            def ok():
                return 1
            ok()
        """
    plain = write_dag(dag_dir, source, "plain.py")
    with_logging = write_dag(dag_dir, source.replace("from airflow", "import logging; from airflow"), "with_logging.py")
    _, result, plain_out, _ = run_task(plain, "cb", "ok", tmp_path)
    assert result["state"] == "success"
    _, _, logging_out, _ = run_task(with_logging, "cb", "ok", tmp_path)
    assert plain_out == logging_out.replace("with_logging.py", "plain.py")
    assert "ERROR - Error when executing on_success_callback callback\nTraceback" in plain_out
    assert plain_out.endswith("RuntimeError: callback broke\n")
