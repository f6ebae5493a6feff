"""BranchDayOfWeekOperator, BranchDateTimeOperator, LatestOnlyOperator and @task.run_if / skip_if
through real task processes, deciding from the context as Airflow 3 does; and the cron evaluator
LatestOnlyOperator uses, against known fire times."""
import sys
from datetime import datetime, timedelta, timezone

import pytest

from conftest import SDK_DIR, run_task, write_dag

sys.path.insert(0, SDK_DIR)
from leoflow.cron import CronExpression  # noqa: E402

UTC = timezone.utc

DAG_SOURCE = """
    from datetime import datetime, time, timedelta
    from airflow.sdk import DAG, task
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.providers.standard.operators.weekday import BranchDayOfWeekOperator
    from airflow.providers.standard.operators.datetime import BranchDateTimeOperator
    from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
    from airflow.providers.standard.utils.weekday import WeekDay

    with DAG("branches", schedule=SCHEDULE, start_date=datetime(2020, 1, 1)):
        yes = EmptyOperator(task_id="yes")
        no = EmptyOperator(task_id="no")
        BranchDayOfWeekOperator(task_id="saturday", week_day="Saturday", use_task_logical_date=True,
                                follow_task_ids_if_true="yes", follow_task_ids_if_false="no") >> [yes, no]
        BranchDayOfWeekOperator(task_id="weekend", week_day={WeekDay.SATURDAY, WeekDay.SUNDAY},
                                use_task_logical_date=True, follow_task_ids_if_true=["yes"],
                                follow_task_ids_if_false=["no"]) >> [yes, no]
        BranchDayOfWeekOperator(task_id="any_day_now", week_day=list(WeekDay), follow_task_ids_if_true="yes",
                                follow_task_ids_if_false="no") >> [yes, no]
        BranchDateTimeOperator(task_id="morning", target_lower=time(6), target_upper=time(12),
                               use_task_logical_date=True, follow_task_ids_if_true="yes",
                               follow_task_ids_if_false="no") >> [yes, no]
        BranchDateTimeOperator(task_id="overnight", target_lower=time(22), target_upper=time(2),
                               use_task_logical_date=True, follow_task_ids_if_true="yes",
                               follow_task_ids_if_false="no") >> [yes, no]
        BranchDateTimeOperator(task_id="before_2030", target_lower=None, target_upper=datetime(2030, 1, 1),
                               follow_task_ids_if_true="yes", follow_task_ids_if_false="no") >> [yes, no]
        BranchDateTimeOperator(task_id="after_2030", target_lower=datetime(2030, 1, 1), target_upper=None,
                               follow_task_ids_if_true="yes", follow_task_ids_if_false="no") >> [yes, no]
        latest = LatestOnlyOperator(task_id="latest")
        latest >> [yes, no]
"""


def branch_dag(folder, schedule="timedelta(hours=1)"):
    return write_dag(folder, DAG_SOURCE.replace("SCHEDULE", schedule))


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "Z"


def skipped_by(path, task_id, tmp_path, **context):
    code, result, out, err = run_task(path, "branches", task_id, tmp_path, **context)
    assert code == 0 and result["state"] == "success", err
    return result["skip_task_ids"]


# 2026-11-28 is a Saturday.
@pytest.mark.parametrize("task_id,logical_date,skipped", [
    ("saturday", "2026-11-28T10:00:00Z", ["no"]),
    ("saturday", "2026-11-30T10:00:00Z", ["yes"]),
    ("weekend", "2026-11-29T23:59:00Z", ["no"]),
    ("weekend", "2026-11-27T23:59:00Z", ["yes"]),
    ("any_day_now", "2000-01-01T00:00:00Z", ["no"]),
    ("morning", "2026-11-28T06:00:00Z", ["no"]),
    ("morning", "2026-11-28T12:00:01Z", ["yes"]),
    ("morning", "2026-11-28T05:59:59Z", ["yes"]),
    ("overnight", "2026-11-28T23:30:00Z", ["no"]),
    ("overnight", "2026-11-28T21:00:00Z", ["yes"]),
    ("before_2030", "2000-01-01T00:00:00Z", ["no"]),
    ("after_2030", "2000-01-01T00:00:00Z", ["yes"]),
])
def test_branch_decisions(tmp_path, task_id, logical_date, skipped):
    path = branch_dag(tmp_path)
    assert skipped_by(path, task_id, tmp_path, logical_date=logical_date, data_interval_start=logical_date,
                      data_interval_end=logical_date) == skipped


def test_latest_only(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    recent, old = iso(now - timedelta(minutes=1)), iso(now - timedelta(days=3))
    path = branch_dag(tmp_path)
    point = lambda when: {"logical_date": when, "data_interval_start": when, "data_interval_end": when}
    assert skipped_by(path, "latest", tmp_path, run_type="scheduled", **point(recent)) == []
    assert skipped_by(path, "latest", tmp_path, run_type="scheduled", **point(old)) == ["no", "yes"]
    assert skipped_by(path, "latest", tmp_path, run_type="manual", **point(old)) == []

    midnight = iso(now.replace(hour=0, minute=0, second=0))
    daily = branch_dag(tmp_path, '"@daily"')
    assert skipped_by(daily, "latest", tmp_path, run_type="scheduled", **point(midnight)) == []
    assert skipped_by(daily, "latest", tmp_path, run_type="scheduled", **point(old)) == ["no", "yes"]
    once = branch_dag(tmp_path, '"@once"')
    assert skipped_by(once, "latest", tmp_path, run_type="scheduled", **point(old)) == []


CONDITIONS = """
    from airflow.sdk import DAG, task
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.empty import EmptyOperator
    with DAG("conditions"):
        @task.run_if(lambda context: context["params"].get("go"))
        @task
        def only_when_asked():
            return "ran"

        @task.skip_if(lambda context: context["ti"].try_number > 1, skip_message="only on the first try")
        @task
        def first_try_only():
            return "ran"

        @task.run_if(lambda context: True)
        @task.skip_if(lambda context: context["ti"].map_index == 1)
        @task
        def mapped(x):
            return x

        after = EmptyOperator(task_id="after")
        task.skip_if(lambda context: True)(BashOperator(task_id="classic", bash_command="echo hi")) >> after
        only_when_asked() >> after
        first_try_only()
        mapped.expand(x=[1, 2])
"""


@pytest.mark.parametrize("task_id,context,state,message", [
    ("only_when_asked", {}, "skipped", "Task was skipped based on the condition."),
    ("only_when_asked", {"conf": {"go": True}}, "success", None),
    ("first_try_only", {}, "success", None),
    ("first_try_only", {"try_number": 2, "max_tries": 2}, "skipped", "only on the first try"),
    ("mapped", {"map_index": 0}, "success", None),
    ("mapped", {"map_index": 1}, "skipped", "Task was skipped based on the condition."),
    ("classic", {}, "skipped", "Task was skipped based on the condition."),
])
def test_run_if_and_skip_if(tmp_path, task_id, context, state, message):
    path = write_dag(tmp_path, CONDITIONS)
    code, result, out, err = run_task(path, "conditions", task_id, tmp_path, **context)
    assert result["state"] == state, err
    if state == "skipped":
        assert result["xcoms"] == [] and message in out + err
        assert "hi" not in out.splitlines(), "the operator did not run"
    else:
        assert result["xcoms"][0]["key"] == "return_value"


@pytest.mark.parametrize("expression,after,expected", [
    ("0 0 * * *", "2026-11-28T10:00:00", "2026-11-29T00:00:00"),
    ("@daily", "2026-11-28T00:00:00", "2026-11-29T00:00:00"),
    ("*/15 * * * *", "2026-11-28T10:14:59", "2026-11-28T10:15:00"),
    ("30 6 * * MON-FRI", "2026-11-28T10:00:00", "2026-11-30T06:30:00"),
    ("0 0 1 */3 *", "2026-11-28T10:00:00", "2027-01-01T00:00:00"),
    ("0 12 13 * 5", "2026-11-28T10:00:00", "2026-12-04T12:00:00"),
    ("0 0 29 2 *", "2026-03-01T00:00:00", "2028-02-29T00:00:00"),
    ("@yearly", "2026-12-31T23:59:00", "2027-01-01T00:00:00"),
    ("0 9 * JAN,jul SUN", "2026-11-28T10:00:00", "2027-01-03T09:00:00"),
])
def test_cron_next_after(expression, after, expected):
    moment = datetime.fromisoformat(after).replace(tzinfo=UTC)
    assert CronExpression(expression).next_after(moment) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


def test_cron_rejects_bad_expressions():
    for expression in ("61 * * * *", "* * *", "*/0 * * * *", "5-1 * * * *"):
        with pytest.raises(ValueError):
            CronExpression(expression)
