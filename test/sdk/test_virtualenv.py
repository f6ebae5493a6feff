"""@task.virtualenv / PythonVirtualenvOperator and @task.external_python / ExternalPythonOperator:
the callable runs in a real other interpreter (a virtualenv built with venv + pip from tiny local
wheels, offline through pip's own PIP_NO_INDEX / PIP_FIND_LINKS), arguments and return value
travel through files, and the virtualenv is cached by what it holds."""
import os
import subprocess
import sys

import pytest

from conftest import PYTHON, run_parser, run_task, write_dag

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from wheels import build_wheel  # noqa: E402

DAG_SOURCE = """
    from datetime import timedelta
    from airflow.sdk import DAG, task
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.providers.standard.operators.python import ExternalPythonOperator, PythonVirtualenvOperator

    def classic(n, ds, logical_date, when):
        import sys
        return {"n": n * 2, "ds": ds, "year": logical_date.year, "tz": str(logical_date.tzinfo),
                "when": when.total_seconds(), "strings": virtualenv_string_args, "prefix": sys.prefix}

    def fails():
        raise RuntimeError("inside the venv")

    def exits_42():
        import sys
        sys.exit(42)

    def where():
        import sys
        return sys.prefix

    def pair():
        return (1, "two")

    with DAG("venvs", params={"n": 4}):
        @task.virtualenv(requirements=["lfpkg==1.0"], system_site_packages=False)
        def uses_package(x):
            import lfpkg
            return [lfpkg.VALUE, x]

        @task.virtualenv(requirements=["lfpkg==2.0"], system_site_packages=False, multiple_outputs=True)
        def other_version():
            import lfpkg
            return {"value": lfpkg.VALUE}

        @task.virtualenv(requirements=["lfpkg==9.9"], system_site_packages=False)
        def cannot_install():
            return 1

        @task.branch_virtualenv
        def choose():
            return "left"

        uses_package(1)
        other_version()
        cannot_install()
        choose() >> [EmptyOperator(task_id="left"), EmptyOperator(task_id="right")]
        PythonVirtualenvOperator(task_id="classic", python_callable=classic, string_args=["a", "b"],
                                 op_kwargs={"n": 4, "when": timedelta(minutes=1)})
        PythonVirtualenvOperator(task_id="fails", python_callable=fails)
        PythonVirtualenvOperator(task_id="exits_42", python_callable=exits_42, skip_on_exit_code=42)
        PythonVirtualenvOperator(task_id="pickled", python_callable=pair, serializer="pickle")
        ExternalPythonOperator(task_id="external", python="{{ params.python }}", python_callable=where)

        @task.external_python(python="/nonexistent/bin/python")
        def nowhere():
            return 1
        nowhere()
"""


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheels")
    build_wheel(folder, "lfpkg", "1.0", "VALUE = 'one'\n")
    build_wheel(folder, "lfpkg", "2.0", "VALUE = 'two'\n")
    return folder


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def venv_dag(tmp_path_factory):
    return write_dag(tmp_path_factory.mktemp("venv_project"), DAG_SOURCE)


def run(venv_dag, task_id, tmp_path, wheelhouse, home, **context):
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse), "LEOFLOW_HOME": str(home)}
    return run_task(venv_dag, "venvs", task_id, tmp_path, env=env, **context)


def values(result):
    return {x["key"]: x["value"] for x in result["xcoms"]}


def test_requirements_install_into_a_cached_virtualenv(venv_dag, tmp_path, wheelhouse, home):
    code, result, out, err = run(venv_dag, "uses_package", tmp_path, wheelhouse, home)
    assert result["state"] == "success", out + err
    assert values(result) == {"return_value": ["one", 1]}
    assert "Installing lfpkg==1.0" in out
    cached = [name for name in os.listdir(home / "dev" / "venvs") if name.startswith("task+")
              and not name.endswith(".lock")]
    assert len(cached) == 1
    code, result, out, err = run(venv_dag, "uses_package", tmp_path, wheelhouse, home)
    assert values(result) == {"return_value": ["one", 1]}, err
    assert "Reusing the cached virtualenv" in out and "Installing" not in out


def test_another_requirement_gets_its_own_virtualenv(venv_dag, tmp_path, wheelhouse, home):
    code, result, out, err = run(venv_dag, "other_version", tmp_path, wheelhouse, home)
    assert values(result) == {"value": "two", "return_value": {"value": "two"}}, out + err


def test_a_failed_install_fails_the_task_and_is_retried_next_time(venv_dag, tmp_path, wheelhouse, home):
    code, result, out, err = run(venv_dag, "cannot_install", tmp_path, wheelhouse, home)
    assert result["state"] == "failed"
    assert result["error"].startswith("airflow.exceptions.AirflowException: Installing the requirements failed")
    assert "lfpkg==9.9" in out
    code, result, out, err = run(venv_dag, "cannot_install", tmp_path, wheelhouse, home)
    assert "Reusing" not in out and result["state"] == "failed"


def test_classic_operator_gets_arguments_context_and_string_args(venv_dag, tmp_path, wheelhouse, home):
    code, result, out, err = run(venv_dag, "classic", tmp_path, wheelhouse, home)
    assert result["state"] == "success", out + err
    value = values(result)["return_value"]
    assert value["prefix"] != sys.prefix and value["prefix"].startswith(str(home))
    assert {k: v for k, v in value.items() if k != "prefix"} == {
        "n": 8, "ds": "2026-11-28", "year": 2026, "tz": "UTC", "when": 60.0, "strings": ["a", "b"]}


def test_errors_exit_codes_and_pickle(venv_dag, tmp_path, wheelhouse, home):
    code, result, out, err = run(venv_dag, "fails", tmp_path, wheelhouse, home)
    assert result["state"] == "failed"
    assert result["error"] == "airflow.exceptions.AirflowException: Process returned non-zero exit status 1."
    assert "RuntimeError: inside the venv" in out
    code, result, out, err = run(venv_dag, "exits_42", tmp_path, wheelhouse, home)
    assert result["state"] == "skipped", out + err
    code, result, out, err = run(venv_dag, "pickled", tmp_path, wheelhouse, home)
    assert values(result) == {"return_value": [1, "two"]}, out + err


def test_branch_virtualenv_skips_the_other_way(venv_dag, tmp_path, wheelhouse, home):
    code, result, out, err = run(venv_dag, "choose", tmp_path, wheelhouse, home)
    assert result["state"] == "success" and result["skip_task_ids"] == ["right"], out + err


def test_external_python_runs_the_given_interpreter(venv_dag, tmp_path, wheelhouse, home):
    other = tmp_path / "other-env"
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(other)], check=True)
    code, result, out, err = run(venv_dag, "external", tmp_path, wheelhouse, home,
                                 conf={"python": str(other / "bin" / "python")})
    assert values(result) == {"return_value": str(other)}, out + err
    code, result, out, err = run(venv_dag, "nowhere", tmp_path, wheelhouse, home)
    assert result["error"] == "ValueError: Python Path '/nonexistent/bin/python' must exist"


def test_lambdas_are_refused_at_parse_time(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.python import PythonVirtualenvOperator
        with DAG("d"):
            PythonVirtualenvOperator(task_id="t", python_callable=lambda: 1)
        """)
    code, _, _, stderr = run_parser(path)
    assert code == 1 and "ValueError: PythonVirtualenvOperator only supports functions for python_callable arg" in stderr
