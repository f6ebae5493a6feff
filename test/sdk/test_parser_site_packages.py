"""LEOFLOW_PARSER_HIDE_SITE_PACKAGES: Lite parses a project without dependencies with its shared
interpreter, and the file must then import what an empty virtualenv offers: the standard library
and the sdk, not the interpreter's (or the user's) site-packages."""
import os
import subprocess

import pytest

from conftest import PYTHON, run_parser, write_dag

DAG = """
    from airflow.sdk import DAG, task
    import only_in_user_site
    with DAG("sited", schedule=None):
        @task
        def t():
            return only_in_user_site.VALUE
        t()
    """


def user_site(base):
    """The user site-packages folder of PYTHON under PYTHONUSERBASE=base, or None when disabled."""
    out = subprocess.run([PYTHON, "-c", "import site; print(site.ENABLE_USER_SITE, site.getusersitepackages())"],
                         capture_output=True, text=True, env=dict(os.environ, PYTHONUSERBASE=str(base)), check=True)
    enabled, folder = out.stdout.split()
    return folder if enabled == "True" else None


def test_site_packages_are_hidden_only_when_asked(tmp_path, dag_dir):
    folder = user_site(tmp_path / "userbase")
    if folder is None:
        pytest.skip("this interpreter runs without a user site-packages folder")
    os.makedirs(folder)
    with open(os.path.join(folder, "only_in_user_site.py"), "w") as f:
        f.write("VALUE = 1\n")
    path = write_dag(dag_dir, DAG)
    env = {"PYTHONUSERBASE": str(tmp_path / "userbase")}

    code, spec, _, stderr = run_parser(path, env)
    assert code == 0, stderr
    assert spec["dags"][0]["dag_id"] == "sited"

    code, _, _, stderr = run_parser(path, dict(env, LEOFLOW_PARSER_HIDE_SITE_PACKAGES="1"))
    assert code == 1
    assert "ModuleNotFoundError: No module named 'only_in_user_site'" in stderr


def test_the_sdk_stays_importable_with_site_packages_hidden(dag_dir):
    path = write_dag(dag_dir, """
        from airflow.sdk import DAG, task
        with DAG("plain", schedule=None):
            @task
            def t():
                return 1
            t()
        """)
    code, spec, _, stderr = run_parser(path, {"LEOFLOW_PARSER_HIDE_SITE_PACKAGES": "1"})
    assert code == 0, stderr
    assert [t["task_id"] for t in spec["dags"][0]["tasks"]] == ["t"]
