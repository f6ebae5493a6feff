"""Every supported `airflow.*` import path resolves, through a real parse of a file importing them."""
import pytest

from conftest import parse_ok, write_dag

IMPORTS = [
    ("airflow", "DAG"),
    ("airflow.sdk", "DAG, dag, task, task_group, TaskGroup, Param, ParamsDict, Variable, Connection, BaseOperator, "
                    "BaseHook, BaseBranchOperator, BaseSensorOperator, PokeReturnValue, SkipMixin, XComArg, Label, EdgeModifier, TriggerRule, Context, "
                    "chain, chain_linear, cross_downstream, get_current_context, Asset, AssetAlias, setup, teardown"),
    ("airflow.decorators", "dag, task, task_group, setup, teardown"),
    ("airflow.models", "DAG, BaseOperator, Variable, Param, ParamsDict, Connection, XComArg"),
    ("airflow.models.dag", "DAG, dag"),
    ("airflow.models.baseoperator", "BaseOperator, chain, chain_linear, cross_downstream"),
    ("airflow.models.param", "Param, ParamsDict"),
    ("airflow.models.variable", "Variable"),
    ("airflow.models.connection", "Connection"),
    ("airflow.models.xcom_arg", "XComArg"),
    ("airflow.operators.bash", "BashOperator"),
    ("airflow.operators.python", "PythonOperator, BranchPythonOperator, ShortCircuitOperator, get_current_context"),
    ("airflow.operators.empty", "EmptyOperator"),
    ("airflow.operators.dummy", "DummyOperator"),
    ("airflow.providers.standard.operators.bash", "BashOperator"),
    ("airflow.providers.standard.operators.python",
     "PythonOperator, BranchPythonOperator, ShortCircuitOperator, get_current_context"),
    ("airflow.providers.standard.operators.empty", "EmptyOperator"),
    ("airflow.utils.task_group", "TaskGroup, task_group"),
    ("airflow.utils.trigger_rule", "TriggerRule"),
    ("airflow.utils.dates", "days_ago"),
    ("airflow.utils.edgemodifier", "Label, EdgeModifier"),
    ("airflow.utils.context", "Context, get_current_context"),
    ("airflow.exceptions", "AirflowException, AirflowSkipException, AirflowFailException, AirflowNotFoundException, "
                           "AirflowTaskTimeout, AirflowSensorTimeout, DuplicateTaskIdFound, ParamValidationError, TaskNotFound, XComNotFound"),
    ("airflow.hooks.base", "BaseHook"),
    ("airflow.sensors.base", "BaseSensorOperator, PokeReturnValue"),
    ("airflow.sensors.python", "PythonSensor"),
    ("airflow.sensors.bash", "BashSensor"),
    ("airflow.providers.standard.sensors.python", "PythonSensor"),
    ("airflow.providers.standard.sensors.bash", "BashSensor"),
    ("airflow.datasets", "Dataset"),
]


@pytest.mark.parametrize("module,names", IMPORTS, ids=[module for module, _ in IMPORTS])
def test_import_path(dag_dir, module, names):
    spec = parse_ok(write_dag(dag_dir, f"from {module} import {names}\n"))
    assert spec["dags"] == []


def test_trigger_rule_enum_values(dag_dir):
    spec = parse_ok(write_dag(dag_dir, """
        from airflow import DAG
        from airflow.utils.trigger_rule import TriggerRule
        from airflow.operators.empty import EmptyOperator
        assert TriggerRule.ALL_DONE == "all_done" and isinstance(TriggerRule.ALL_DONE, str)
        with DAG("tr"):
            EmptyOperator(task_id="t", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
        """))
    assert spec["dags"][0]["tasks"][0]["trigger_rule"] == "none_failed_min_one_success"
