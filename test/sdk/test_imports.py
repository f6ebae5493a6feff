"""Every supported `airflow.*` import path resolves, through a real parse of a file importing them."""
import pytest

from conftest import parse_ok, run_parser, write_dag

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
    # The paths Airflow 3's own example DAGs import from.
    ("airflow.sdk.api.datamodels._generated", "TriggerRule, WeightRule"),
    ("airflow.sdk.exceptions", "AirflowException, AirflowSkipException, AirflowFailException, AirflowSensorTimeout, "
                               "AirflowTaskTimeout, DownstreamTasksSkipped"),
    ("airflow.providers.common.compat.sdk", "BaseOperator, BaseHook, BaseSensorOperator, Context, TriggerRule, "
                                            "AirflowException, AirflowSkipException, task, dag, DAG"),
    ("airflow.providers.standard.utils.weekday", "WeekDay"),
    ("airflow.utils.weekday", "WeekDay"),
    ("airflow.providers.standard.operators.latest_only", "LatestOnlyOperator"),
    ("airflow.operators.latest_only", "LatestOnlyOperator"),
    ("airflow.providers.standard.operators.trigger_dagrun", "TriggerDagRunOperator"),
    ("airflow.operators.trigger_dagrun", "TriggerDagRunOperator"),
    ("airflow.providers.standard.operators.python", "ExternalPythonOperator, PythonVirtualenvOperator, "
                                                    "BranchExternalPythonOperator, BranchPythonVirtualenvOperator"),
    ("airflow.operators.python", "ExternalPythonOperator, PythonVirtualenvOperator"),
    ("airflow.providers.standard.operators.weekday", "BranchDayOfWeekOperator"),
    ("airflow.operators.weekday", "BranchDayOfWeekOperator"),
    ("airflow.providers.standard.operators.datetime", "BranchDateTimeOperator"),
    ("airflow.operators.datetime", "BranchDateTimeOperator"),
    ("airflow.providers.standard.sensors.filesystem", "FileSensor"),
    ("airflow.sensors.filesystem", "FileSensor"),
    ("airflow.providers.standard.sensors.time_delta", "TimeDeltaSensor"),
    ("airflow.sensors.time_delta", "TimeDeltaSensor"),
    ("airflow.providers.standard.sensors.date_time", "DateTimeSensor"),
    ("airflow.sensors.date_time", "DateTimeSensor"),
]


@pytest.mark.parametrize("module,names", IMPORTS, ids=[module for module, _ in IMPORTS])
def test_import_path(dag_dir, module, names):
    spec = parse_ok(write_dag(dag_dir, f"from {module} import {names}\n"))
    assert spec["dags"] == []


def test_missing_name_of_a_new_module_is_refused(dag_dir):
    code, _, _, stderr = run_parser(write_dag(dag_dir, "from airflow.sdk.exceptions import TaskDeferred\n"))
    assert code == 1
    assert stderr.rstrip().endswith(
        "feature airflow.sdk.exceptions.TaskDeferred is not supported by Leoflow Lite (dag.py:1)")


def test_exceptions_are_one_class_under_every_path(dag_dir):
    spec = parse_ok(write_dag(dag_dir, """
        import airflow.exceptions, airflow.sdk.exceptions
        from airflow.providers.common.compat.sdk import AirflowSkipException
        assert airflow.sdk.exceptions.AirflowSkipException is airflow.exceptions.AirflowSkipException
        assert AirflowSkipException is airflow.exceptions.AirflowSkipException
        from airflow.sdk.api.datamodels._generated import TriggerRule
        from airflow.utils.trigger_rule import TriggerRule as Airflow2TriggerRule
        assert TriggerRule is Airflow2TriggerRule and TriggerRule.ALL_DONE == "all_done"
        """))
    assert spec["dags"] == []


def test_weekday_enum_as_airflow(dag_dir):
    spec = parse_ok(write_dag(dag_dir, """
        from airflow.providers.standard.utils.weekday import WeekDay
        assert WeekDay.MONDAY == 1 and WeekDay.SUNDAY == 7
        assert WeekDay.get_weekday_number("sunday") == WeekDay.SUNDAY
        assert WeekDay.validate_week_day("Monday") == {1}
        assert WeekDay.validate_week_day({WeekDay.SATURDAY, "sunday"}) == {6, 7}
        assert WeekDay.validate_week_day(WeekDay.FRIDAY) == {5}
        try:
            WeekDay.get_weekday_number("Funday")
        except AttributeError as error:
            assert str(error) == 'Invalid Week Day passed: "Funday"'
        else:
            raise AssertionError("no error")
        try:
            WeekDay.validate_week_day(3)
        except TypeError as error:
            assert "Unsupported Type for week_day parameter" in str(error)
        else:
            raise AssertionError("no error")
        """))
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
