"""Airflow 3's standard provider in Lite: a daily job that only does the heavy work on the latest
run, branches on the day of the week, waits for a drop file, runs one step in its own
virtualenv, and alerts on failure (set AIRFLOW_CONN_SMTP_DEFAULT to receive the email)."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
from airflow.providers.standard.operators.weekday import BranchDayOfWeekOperator
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.providers.standard.utils.weekday import WeekDay
from airflow.sdk import DAG, Param, task
from airflow.sdk.api.datamodels._generated import TriggerRule


def log_failure(context):
    print(f"{context['ti'].task_id} failed: {context['exception']}")


with DAG(
    "airflow_standard",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    tags=["example", "standard provider"],
    params={"full_refresh": Param(False, type="boolean")},
    default_args={"retries": 1, "retry_delay": timedelta(seconds=10), "email": ["data-team@example.com"],
                  "on_failure_callback": log_failure},
):
    latest = LatestOnlyOperator(task_id="latest_only")
    day = BranchDayOfWeekOperator(
        task_id="which_day", week_day={WeekDay.SATURDAY, WeekDay.SUNDAY}, use_task_logical_date=True,
        follow_task_ids_if_true="weekend_summary", follow_task_ids_if_false="weekday_load")
    weekend = BashOperator(task_id="weekend_summary", bash_command="echo 'summing up the week'")
    weekday = BashOperator(task_id="weekday_load", bash_command="echo 41")
    drop = FileSensor(task_id="wait_for_drop", filepath="drop/*.csv", poke_interval=5,
                      timeout=timedelta(minutes=1), soft_fail=True)

    @task.virtualenv(system_site_packages=False)
    def checksum(rows):
        import hashlib
        return hashlib.sha256(str(rows).encode()).hexdigest()[:12]

    @task.run_if(lambda context: context["params"]["full_refresh"], skip_message="no full refresh asked")
    @task
    def full_refresh():
        print("rebuilding everything")

    done = EmptyOperator(task_id="done", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    latest >> day >> [weekend, weekday]
    weekday >> checksum(weekday.output) >> done
    [weekend, drop, full_refresh()] >> done
