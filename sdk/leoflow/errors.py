"""Airflow's exception types (claiming the `airflow.exceptions` module, so tracebacks and task errors
read as under Airflow), plus the error for features Leoflow Lite refuses."""
from leoflow.callsite import user_location


class AirflowException(Exception):
    """Base class of Airflow's errors."""


class AirflowSkipException(AirflowException):
    """Raised by a task to end in the `skipped` state."""


class AirflowFailException(AirflowException):
    """Raised by a task to fail without using its retries."""


class AirflowNotFoundException(AirflowException):
    """A connection or other named object does not exist."""


class AirflowTaskTimeout(AirflowException):
    """A task ran longer than its execution_timeout."""


class AirflowSensorTimeout(AirflowException):
    """A sensor did not see its condition before its timeout."""


class DuplicateTaskIdFound(AirflowException):
    """Two tasks or task groups of one DAG share an id."""


class TaskNotFound(AirflowException):
    """A task id that the DAG does not have."""


class ParamValidationError(AirflowException):
    """A param value does not match its schema."""


class AirflowDagCycleException(AirflowException):
    """The task dependencies form a cycle."""


class AirflowRescheduleException(AirflowException):
    """A sensor in reschedule mode is not done yet: the engine runs the next try at reschedule_date."""

    def __init__(self, reschedule_date):
        super().__init__()
        self.reschedule_date = reschedule_date


class DownstreamTasksSkipped(AirflowException):
    """Ends a task that skipped downstream tasks: it succeeds, and pushes no return value (Airflow 3)."""

    def __init__(self, *args, tasks):
        super().__init__(*args)
        self.tasks = list(tasks)


class XComNotFound(AirflowException):
    """An XComArg's XCom does not exist."""

    def __init__(self, dag_id, task_id, key):
        super().__init__()
        self.dag_id, self.task_id, self.key = dag_id, task_id, key

    def __str__(self):
        return f'XComArg result from {self.task_id} at {self.dag_id} with key="{self.key}" is not found!'


for _cls in (AirflowException, XComNotFound, DownstreamTasksSkipped, AirflowRescheduleException, AirflowSkipException, AirflowFailException, AirflowNotFoundException,
             AirflowTaskTimeout, AirflowSensorTimeout, DuplicateTaskIdFound, TaskNotFound, ParamValidationError,
             AirflowDagCycleException):
    _cls.__module__ = "airflow.exceptions"


class UnsupportedFeature(Exception):
    """An Airflow feature that Leoflow Lite does not implement."""


def unsupported(feature):
    """The error to raise for `feature`, located at the user's line."""
    return UnsupportedFeature(f"feature {feature} is not supported by Leoflow Lite ({user_location()})")


class UnsupportedImport(UnsupportedFeature, ImportError):
    """An `airflow.*` module or name that Leoflow Lite does not provide."""


def refuse_missing_names(module_name):
    """A module `__getattr__` that refuses names the compatibility module does not have."""

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnsupportedImport(
            f"feature {module_name}.{name} is not supported by Leoflow Lite ({user_location()})")

    return __getattr__
