"""The running task's context (get_current_context) and the values a task run is given: the runtime
fills `run_state` from the engine's task context; at parse time it stays empty and lookups fall
back to AIRFLOW_VAR_* / AIRFLOW_CONN_* environment variables."""
from leoflow.errors import AirflowException


class RunState:
    """Variables and connections handed to this process, and variables it set."""

    def __init__(self):
        self.variables = {}
        self.connections = {}
        self.variables_set = {}


run_state = RunState()
_contexts = []


def push_context(context):
    _contexts.append(context)


def pop_context():
    _contexts.pop()


def get_current_context():
    """The context of the task running in this process."""
    if not _contexts:
        raise AirflowException("Current context was requested but no context was found! "
                               "Are you running within an Airflow task?")
    return _contexts[-1]
