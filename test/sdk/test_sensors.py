"""Sensors in poke mode: spec fields at parse time, and poking, timeouts and soft_fail at run time."""
from datetime import datetime, timedelta, timezone

import pytest

from conftest import parse_ok, run_task, tasks_of, write_dag

SENSORS = """
from airflow.sdk import DAG, task, PokeReturnValue, BaseSensorOperator
from airflow.sensors.python import PythonSensor
from airflow.sensors.bash import BashSensor

class Always(BaseSensorOperator):
    def poke(self, context):
        return True

with DAG("sensors"):
    PythonSensor(task_id="ready", python_callable=lambda: PokeReturnValue(True, {"rows": 3}))
    PythonSensor(task_id="never", python_callable=lambda: False, timeout=0, poke_interval=1)
    PythonSensor(task_id="never_soft", python_callable=lambda: False, timeout=0, soft_fail=True)
    BashSensor(task_id="bash_ok", bash_command="test -d /")
    BashSensor(task_id="bash_error", bash_command="exit 3", retry_exit_code=1)
    Always(task_id="custom")

    @task.sensor(poke_interval=5, timeout=60)
    def wait_for(value):
        return PokeReturnValue(is_done=value > 1, xcom_value=value)
    wait_for(2)
"""


def test_sensor_spec(dag_dir):
    tasks = tasks_of(parse_ok(write_dag(dag_dir, SENSORS)))
    assert {task_id: task["type"] for task_id, task in tasks.items()} == dict.fromkeys(tasks, "sensor")
    assert (tasks["ready"]["operator_module"], tasks["ready"]["ui_color"]) == (
        "airflow.providers.standard.sensors.python", "#e6f1f2")
    assert (tasks["wait_for"]["operator_name"], tasks["wait_for"]["operator_module"]) == (
        "@task.sensor", "airflow.providers.standard.decorators.sensor")
    assert tasks["bash_ok"]["bash_command"] == "test -d /"
    assert tasks["custom"]["operator_module"] == "dag"


CASES = [
    ("ready", "success", [{"key": "return_value", "value": {"rows": 3}}], None),
    ("never", "failed", [], "airflow.exceptions.AirflowSensorTimeout: Sensor has timed out"),
    ("never_soft", "skipped", [], None),
    ("bash_ok", "success", [], None),
    ("bash_error", "failed", [], "airflow.exceptions.AirflowException: Command exited with return code 3"),
    ("custom", "success", [], None),
    ("wait_for", "success", [{"key": "return_value", "value": 2}], None),
]


@pytest.mark.parametrize("task_id,state,xcoms,error", CASES, ids=[c[0] for c in CASES])
def test_sensor_runs(dag_dir, tmp_path, task_id, state, xcoms, error):
    path = write_dag(dag_dir, SENSORS)
    code, result, out, err = run_task(path, "sensors", task_id, tmp_path)
    assert result["state"] == state, err
    assert result["xcoms"] == xcoms
    if error:
        assert result["error"].startswith(error)


MORE_SENSORS = """
from datetime import datetime, timedelta
from airflow.sdk import DAG, task
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor
from airflow.providers.standard.sensors.date_time import DateTimeSensor
from airflow.providers.standard.sensors.python import PythonSensor
from airflow.exceptions import AirflowFailException

def count_pokes(marker, done_after):
    import os
    pokes = int(open(marker).read()) + 1 if os.path.exists(marker) else 1
    open(marker, "w").write(str(pokes))
    return pokes >= done_after

def broken():
    raise ValueError("backend down")

def hard_fail():
    raise AirflowFailException("gave up")

with DAG("more_sensors"):
    FileSensor(task_id="file", filepath="{{ params.folder }}/incoming/*.csv", poke_interval=0.05, timeout=5)
    FileSensor(task_id="folder", filepath="incoming_dir", poke_interval=0.05, timeout=0)
    FileSensor(task_id="missing_file", filepath="nope.csv", poke_interval=0.01, timeout=0.05)
    FileSensor(task_id="with_conn", filepath="data.txt", fs_conn_id="fs_data", poke_interval=0.01, timeout=0)
    TimeDeltaSensor(task_id="delta_passed", delta=timedelta(seconds=1), poke_interval=0.05, timeout=5)
    TimeDeltaSensor(task_id="delta_future", delta=timedelta(days=1), poke_interval=0.01, timeout=0.05)
    DateTimeSensor(task_id="datetime_passed", target_time="{{ macros.datetime(2020, 1, 1).isoformat() }}",
                   poke_interval=0.01, timeout=1)
    DateTimeSensor(task_id="datetime_future", target_time=datetime(2999, 1, 1), poke_interval=0.01, timeout=0.05)
    PythonSensor(task_id="backoff", python_callable=count_pokes, op_args=["{{ params.folder }}/pokes", 3],
                 poke_interval=30, exponential_backoff=True, max_wait=timedelta(seconds=0.05), timeout=10)
    PythonSensor(task_id="error_soft", python_callable=broken, soft_fail=True, poke_interval=0.01, timeout=1)
    PythonSensor(task_id="fail_soft", python_callable=hard_fail, soft_fail=True, poke_interval=0.01, timeout=1)
    PythonSensor(task_id="error_never", python_callable=broken, never_fail=True, poke_interval=0.01, timeout=1)
    PythonSensor(task_id="timeout_never", python_callable=lambda: False, never_fail=True, poke_interval=0.01, timeout=0)
"""


def run_more(tmp_path, task_id, **context):
    folder = tmp_path / "project"
    folder.mkdir(exist_ok=True)
    path = write_dag(folder, MORE_SENSORS)
    context.setdefault("conf", {"folder": str(folder)})
    return folder, run_task(path, "more_sensors", task_id, tmp_path, **context)


def test_file_sensor_waits_for_a_glob_match(tmp_path):
    folder = tmp_path / "project"
    (folder / "incoming").mkdir(parents=True)
    (folder / "incoming" / "orders.csv").write_text("a,b\n")
    _, (code, result, out, err) = run_more(tmp_path, "file")
    assert result["state"] == "success", err
    assert "Poking for file" in out and "orders.csv" in out


def test_file_sensor_folder_needs_a_file_and_times_out(tmp_path):
    folder = tmp_path / "project"
    (folder / "incoming_dir" / "sub").mkdir(parents=True)
    _, (code, result, out, err) = run_more(tmp_path, "folder")
    assert result["state"] == "failed" and "AirflowSensorTimeout" in result["error"]
    (folder / "incoming_dir" / "sub" / "x").write_text("")
    _, (code, result, out, err) = run_more(tmp_path, "folder")
    assert result["state"] == "success", err
    _, (code, result, out, err) = run_more(tmp_path, "missing_file")
    assert result["state"] == "failed" and "AirflowSensorTimeout" in result["error"]


def test_file_sensor_base_path_from_its_connection(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "data.txt").write_text("x")
    conn = {"fs_data": {"conn_type": "fs", "host": None, "extra": '{"path": "%s"}' % data}}
    _, (code, result, out, err) = run_more(tmp_path, "with_conn", connections=conn)
    assert result["state"] == "success", err
    _, (code, result, out, err) = run_more(tmp_path, "with_conn")
    assert result["state"] == "failed" and "The conn_id `fs_data` isn't defined" in result["error"]


def test_time_sensors(tmp_path):
    now = datetime.now(timezone.utc)
    recent = (now - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for task_id, state in (("delta_passed", "success"), ("delta_future", "failed"), ("datetime_passed", "success"),
                           ("datetime_future", "failed")):
        _, (code, result, out, err) = run_more(tmp_path, task_id, data_interval_end=recent)
        assert result["state"] == state, (task_id, err)
        if state == "failed":
            assert result["error"].startswith("airflow.exceptions.AirflowSensorTimeout"), task_id


def test_exponential_backoff_grows_and_max_wait_caps_it(tmp_path):
    folder, (code, result, out, err) = run_more(tmp_path, "backoff")
    assert result["state"] == "success", err
    assert (folder / "pokes").read_text() == "3"
    assert out.count("new poke interval is 0.05") == 2, out


def test_backoff_interval_as_airflow_computes_it():
    import sys
    from conftest import SDK_DIR
    sys.path.insert(0, SDK_DIR)
    from airflow.sensors.base import BaseSensorOperator
    sensor = BaseSensorOperator(task_id="s", poke_interval=5, exponential_backoff=True, timeout=1000)
    started = datetime(2026, 1, 1, tzinfo=timezone.utc)
    intervals = [sensor._next_poke_interval(started, 0, count) for count in range(1, 7)]
    minimums = [max(int(5 * 2 ** (count - 2)), 1) for count in range(1, 7)]
    assert all(low <= value < 2 * low for value, low in zip(intervals, minimums)), intervals
    assert intervals == [sensor._next_poke_interval(started, 0, count) for count in range(1, 7)], "deterministic"
    assert sensor._next_poke_interval(started, 995, 20) == 5, "never past the timeout"


@pytest.mark.parametrize("task_id,state,message", [
    ("error_soft", "failed", "ValueError: backend down"),
    ("fail_soft", "skipped", "Skipping due to soft_fail is set to True."),
    ("error_never", "skipped", "Skipping due to never_fail is set to True."),
    ("timeout_never", "failed", "AirflowSensorTimeout: Sensor has timed out"),
])
def test_soft_fail_and_never_fail(tmp_path, task_id, state, message):
    _, (code, result, out, err) = run_more(tmp_path, task_id)
    assert result["state"] == state, err
    assert message in (result["error"] or "") + out + err
