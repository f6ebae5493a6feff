"""Runtime inside a real `python3 -m venv --without-pip` virtualenv: jinja2 comes through the pylib
fallback ($LEOFLOW_HOME/dev/pylib, symlinks to jinja2 and markupsafe only) and nothing else leaks in."""
import os
import subprocess
import sys

import pytest

from conftest import PYTHON, run_task, write_dag

DAG = """
from airflow.sdk import DAG, task
from airflow.operators.bash import BashOperator
with DAG("venv_dag"):
    BashOperator(task_id="templated", bash_command="echo {{ dag.dag_id }}-{{ ds }}")

    @task
    def plain():
        import sys
        try:
            import yaml
            leaked = True
        except ImportError:
            leaked = False
        return {"leaked": leaked, "last_path": sys.path[-1], "prefix": sys.prefix}
    plain()
"""


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory):
    if not os.path.isdir("/usr/lib/python3/dist-packages/jinja2"):
        pytest.skip("needs Debian's python3-jinja2 (the pylib fallback links to it)")
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    return str(venv / "bin" / "python")


def test_jinja2_through_pylib_without_leaking_dist_packages(venv_python, tmp_path):
    home = tmp_path / "home"
    env = {"LEOFLOW_HOME": str(home)}
    path = write_dag(tmp_path, DAG)
    pylib = home / "dev" / "pylib"

    code, result, out, err = run_task(path, "venv_dag", "plain", tmp_path, python=venv_python, env=env)
    assert code == 0, err
    value = result["xcoms"][0]["value"]
    assert value["leaked"] is False and value["prefix"] != sys.prefix
    assert not pylib.exists(), "jinja2 is only looked for when something needs rendering"

    code, result, out, err = run_task(path, "venv_dag", "templated", tmp_path, python=venv_python, env=env)
    assert code == 0, err
    assert result["xcoms"] == [{"key": "return_value", "value": "venv_dag-2026-11-28"}]
    assert sorted(os.listdir(pylib)) == ["jinja2", "markupsafe"]
    assert all(os.path.islink(pylib / name) for name in ("jinja2", "markupsafe"))

    code, result, out, err = run_task(path, "venv_dag", "templated", tmp_path, python=venv_python, env=env)
    assert code == 0 and sorted(os.listdir(home / "dev")) == ["pylib"], "created once, no leftovers"
