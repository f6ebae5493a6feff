"""Sensors in poke mode: spec fields at parse time, and poking, timeouts and soft_fail at run time."""
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
