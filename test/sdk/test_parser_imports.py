"""The parser stays cheap to start: parsing a plain DAG imports no heavy module (no timing asserted)."""
import os
import subprocess

from conftest import PYTHON, sdk_env, write_dag

HEAVY = {"json", "re", "enum", "inspect", "typing", "dataclasses", "jinja2", "logging", "subprocess",
         "tempfile", "hashlib", "textwrap", "ast", "tokenize"}


def test_parsing_imports_nothing_heavy(dag_dir):
    path = write_dag(dag_dir, """
        from datetime import datetime, timedelta
        from airflow.sdk import DAG, task, TaskGroup
        from airflow.operators.bash import BashOperator
        with DAG("light", schedule="@daily", start_date=datetime(2025, 1, 1), params={"a": 1}):
            @task
            def one() -> dict:
                return {}
            with TaskGroup("g"):
                BashOperator(task_id="b", bash_command="echo {{ ds }}") >> one()
        """)
    imported = _imports([PYTHON, "-X", "importtime", "-m", "leoflow_parser", path], path)
    # What `python -m` itself needs (runpy; on Python 3.9 that includes typing and re) does not count.
    baseline = _imports([PYTHON, "-X", "importtime", "-c", "import runpy"], path)
    assert not HEAVY & (imported - baseline), sorted(HEAVY & (imported - baseline))


def _imports(command, path):
    result = subprocess.run(command, capture_output=True, text=True, cwd=os.path.dirname(path), env=sdk_env())
    assert result.returncode == 0, result.stderr
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
