"""The standard provider's context-based branch operators: BranchDayOfWeekOperator,
BranchDateTimeOperator and LatestOnlyOperator, deciding as Airflow 3 does (DAGs run in UTC)."""
from datetime import datetime, time, timedelta

from leoflow.errors import AirflowException
from leoflow.operators import BaseBranchOperator
from leoflow.timeutil import UTC, to_utc


def _now():
    return datetime.now(UTC)


class BranchDayOfWeekOperator(BaseBranchOperator):
    """Follows one list of tasks on the given week day(s), the other list on other days."""

    def __init__(self, *, follow_task_ids_if_true, follow_task_ids_if_false, week_day, use_task_logical_date=False,
                 **kwargs):
        super().__init__(**kwargs)
        from leoflow.weekday import WeekDay
        self.follow_task_ids_if_true = follow_task_ids_if_true
        self.follow_task_ids_if_false = follow_task_ids_if_false
        self.week_day = week_day
        self.use_task_logical_date = use_task_logical_date
        self._week_day_num = WeekDay.validate_week_day(week_day)

    def choose_branch(self, context):
        now = context["logical_date"] if self.use_task_logical_date else _now()
        if now.isoweekday() in self._week_day_num:
            return self.follow_task_ids_if_true
        return self.follow_task_ids_if_false


def target_times_as_dates(base_date, lower, upper):
    """Airflow's helper: times of day become datetimes on base_date's day (upper the next day when
    it is before lower)."""
    if isinstance(lower, datetime) and isinstance(upper, datetime):
        return lower, upper
    if isinstance(lower, time):
        lower = datetime.combine(base_date, lower)
    if isinstance(upper, time):
        upper = datetime.combine(base_date, upper)
    if lower is None or upper is None:
        return lower, upper
    if upper < lower:
        upper += timedelta(days=1)
    return lower, upper


class BranchDateTimeOperator(BaseBranchOperator):
    """Follows one list of tasks when now (or the logical date) is within [target_lower, target_upper]."""

    def __init__(self, *, follow_task_ids_if_true, follow_task_ids_if_false, target_lower, target_upper,
                 use_task_logical_date=False, **kwargs):
        super().__init__(**kwargs)
        if target_lower is None and target_upper is None:
            raise AirflowException("Both target_upper and target_lower are None. At least one "
                                   "must be defined to be compared to the current datetime")
        self.target_lower = target_lower
        self.target_upper = target_upper
        self.follow_task_ids_if_true = follow_task_ids_if_true
        self.follow_task_ids_if_false = follow_task_ids_if_false
        self.use_task_logical_date = use_task_logical_date

    def choose_branch(self, context):
        if self.use_task_logical_date:
            now = context.get("logical_date") or context["dag_run"].run_after
        else:
            now = _now()
        lower, upper = target_times_as_dates(now.replace(tzinfo=None), self.target_lower, self.target_upper)
        lower = to_utc(lower)
        upper = to_utc(upper)
        if upper is not None and upper < now:
            return self.follow_task_ids_if_false
        if lower is not None and lower > now:
            return self.follow_task_ids_if_false
        return self.follow_task_ids_if_true


class LatestOnlyOperator(BaseBranchOperator):
    """Skips its direct downstream tasks unless this run is the latest scheduled one: now must fall
    between the run's data interval start and the next run's. Manual runs always proceed."""

    ui_color = "#e9ffdb"

    def choose_branch(self, context):
        dag_run = context["dag_run"]
        everything = list(self.get_direct_relative_ids(upstream=False))
        if dag_run.run_type == "manual":
            self.log.info("Manually triggered DAG_Run: allowing execution to proceed.")
            return everything
        from leoflow.cron import next_run_after
        run_date = dag_run.logical_date or dag_run.run_after
        left = dag_run.data_interval_start or run_date
        current_end = dag_run.data_interval_end or run_date
        right = next_run_after(self.dag.schedule, current_end)
        if right is None:
            self.log.info("Last scheduled execution: allowing execution to proceed.")
            return everything
        now = _now()
        self.log.info("Checking latest only with left_window: %s right_window: %s now: %s", left, right, now)
        if not left < now <= right:
            self.log.info("Not latest execution, skipping downstream.")
            return []
        self.log.info("Latest, allowing execution to proceed.")
        return everything
