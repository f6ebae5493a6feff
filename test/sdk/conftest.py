"""Helpers for the SDK tests: run the real parser and runtime entry points as subprocesses."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

SDK_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "sdk")
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
# The interpreter that runs the entry points (another Python version can be tried with this variable).
PYTHON = os.environ.get("LEOFLOW_TEST_PYTHON", sys.executable)


def sdk_env(extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = SDK_DIR
    env.setdefault("LEOFLOW_HOME", os.path.join(os.environ.get("TMPDIR", "/tmp"), "leoflow-test-home"))
    env.update(extra or {})
    return env


def write_dag(folder, source, name="dag.py"):
    path = os.path.join(str(folder), name)
    with open(path, "w") as handle:
        handle.write(textwrap.dedent(source).lstrip("\n"))
    return path


def run_parser(path, env=None, python=None):
    """(exit code, spec or None, stdout, stderr) of `python -m leoflow_parser path`."""
    result = subprocess.run([python or PYTHON, "-m", "leoflow_parser", path], capture_output=True,
                            text=True, cwd=os.path.dirname(path), env=sdk_env(env))
    spec = json.loads(result.stdout) if result.returncode == 0 else None
    return result.returncode, spec, result.stdout, result.stderr


def parse_ok(path, env=None):
    code, spec, _, stderr = run_parser(path, env)
    assert code == 0, stderr
    return spec


def task_payload(path, dag_id, task_id, **context):
    """The task context the engine would send for one try of `task_id`."""
    payload = {
        "dag_file": path, "dag_source": None, "dag_id": dag_id, "task_id": task_id, "map_index": -1,
        "run_id": "manual__2026-11-28T10:00:00+00:00", "run_type": "manual", "try_number": 1, "max_tries": 0,
        "logical_date": "2026-11-28T10:00:00Z", "data_interval_start": "2026-11-28T10:00:00Z",
        "data_interval_end": "2026-11-28T10:00:00Z", "run_after": "2026-11-28T10:00:00Z",
        "run_start_date": "2026-11-28T10:00:00.100000Z", "conf": {}, "xcoms": [], "upstream_map_indexes": {},
        "variables": {}, "connections": {},
    }
    payload.update(context)
    return payload


def run_task(path, dag_id, task_id, tmp_path, python=None, env=None, **context):
    """Run one task try; (exit code, result dict, stdout, stderr)."""
    payload = task_payload(path, dag_id, task_id, **context)
    result_file = os.path.join(str(tmp_path), f"result-{task_id}-{payload['map_index']}.json")
    if os.path.exists(result_file):
        os.remove(result_file)
    proc = subprocess.run([python or PYTHON, "-m", "leoflow_runtime", "--result", result_file],
                          input=json.dumps(payload), capture_output=True, text=True,
                          cwd=os.path.dirname(path), env=sdk_env(env))
    result = None
    if os.path.exists(result_file):
        with open(result_file) as handle:
            result = json.load(handle)
    return proc.returncode, result, proc.stdout, proc.stderr


def imported_modules(command, cwd, input=None):
    """The modules `command` (a Python run with -X importtime) imported; it must exit 0."""
    result = subprocess.run(command, input=input, capture_output=True, text=True, cwd=cwd, env=sdk_env())
    assert result.returncode == 0, result.stderr
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


def tasks_of(spec, index=0):
    return {task["task_id"]: task for task in spec["dags"][index]["tasks"]}


@pytest.fixture
def dag_dir(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    return folder
