"""The parser stays cheap to start: parsing a plain DAG imports no heavy module (no timing asserted)."""
import os

from conftest import PYTHON, imported_modules, write_dag

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
    folder = os.path.dirname(path)
    imported = imported_modules([PYTHON, "-X", "importtime", "-m", "leoflow_parser", path], folder)
    # What `python -m` itself needs (runpy; on Python 3.9 that includes typing and re) does not count.
    baseline = imported_modules([PYTHON, "-X", "importtime", "-c", "import runpy"], folder)
    assert not HEAVY & (imported - baseline), sorted(HEAVY & (imported - baseline))
