"""The running task instance (`ti` in the context): XCom push/pull, skips, DagRun."""
from leoflow.errors import XComNotFound
from leoflow.jsonin import loads
from leoflow.jsonout import dumps
from leoflow.params import NOTSET
from leoflow.timeutil import parse_datetime
from leoflow.xcom_arg import XCOM_RETURN_KEY


def _date(text):
    return parse_datetime(text) if text else None


class DagRun:
    """The run a task belongs to, as Airflow's `dag_run` context value shows it."""

    def __init__(self, payload):
        self.dag_id = payload["dag_id"]
        self.run_id = payload["run_id"]
        self.run_type = payload.get("run_type", "manual")
        self.logical_date = _date(payload.get("logical_date"))
        self.data_interval_start = _date(payload.get("data_interval_start"))
        self.data_interval_end = _date(payload.get("data_interval_end"))
        self.run_after = _date(payload.get("run_after"))
        self.start_date = _date(payload.get("run_start_date"))
        self.conf = payload.get("conf") or {}
        self.state = "running"
        self.clear_number = 0

    def __repr__(self):
        return f"<DagRun {self.dag_id} @ {self.logical_date}: {self.run_id}, state:{self.state}>"


def encode_xcom(key, value):
    """`value` as stored: JSON-encoded and decoded again, or a TypeError naming its type."""
    try:
        return loads(dumps(value))
    except (TypeError, ValueError) as error:
        raise TypeError(f"XCom {key!r} cannot be stored: {error} (type {type(value).__name__})") from None


class RuntimeTaskInstance:
    """`ti` / `task_instance`: identity of the try, XComs of the run, and the skips it decided."""

    def __init__(self, task, dag_run, payload):
        self.task = task
        self.dag_id = dag_run.dag_id
        self.task_id = task.task_id
        self.run_id = dag_run.run_id
        self.map_index = payload.get("map_index", -1)
        self.try_number = payload.get("try_number", 1)
        self.max_tries = payload.get("max_tries", task.retries)
        self.start_date = _date(payload.get("run_start_date"))
        self.logical_date = dag_run.logical_date
        self.state = "running"
        self.hostname = ""
        self.upstream_map_indexes = payload.get("upstream_map_indexes") or {}
        # Sensors in reschedule mode: how many tries rescheduled before this one, and when the first began.
        reschedule = payload.get("reschedule") or {}
        self.reschedule_count = reschedule.get("count", 0)
        self.first_reschedule_start = _date(reschedule.get("first_start"))
        self._xcoms = [(x["task_id"], x.get("map_index", -1), x["key"], x["value"]) for x in payload.get("xcoms") or []]
        self.pushed = {}
        self.skipped = []
        # What a TriggerDagRunOperator asks the engine to create (result field trigger_dag_run).
        self.trigger_dag_run = None
        self._group_arguments = {}
        # The try's context, set once it is built (mapped group arguments resolve against it).
        self.context = None
        # The asset events that triggered the run (asset-triggered runs only).
        self.payload_asset_events = payload.get("triggering_asset_events") or []
        self.renderer = None

    @property
    def is_mapped(self):
        return self.task.is_mapped or self.map_index >= 0

    @property
    def operator(self):
        return self.task.task_type

    def __repr__(self):
        return f"<TaskInstance: {self.dag_id}.{self.task_id} {self.run_id} map_index={self.map_index} [running]>"

    # XComs -----------------------------------------------------------------

    def xcom_push(self, key, value):
        self.pushed[key] = encode_xcom(key, value)

    def _values(self, task_id, key):
        """Values of `key` pushed by `task_id`, ordered by map index (this try's pushes included)."""
        found = {}
        for xcom_task, map_index, xcom_key, value in self._xcoms:
            if xcom_task == task_id and xcom_key == key:
                found[map_index] = value
        if task_id == self.task_id and key in self.pushed:
            found[self.map_index] = self.pushed[key]
        return [found[index] for index in sorted(found)]

    def _value(self, task_id, key, map_index):
        """One value (None when absent); map_index None matches any index."""
        if task_id == self.task_id and key in self.pushed and map_index in (None, self.map_index):
            return self.pushed[key]
        matches = sorted((index, value) for xcom_task, index, xcom_key, value in self._xcoms
                         if xcom_task == task_id and xcom_key == key and map_index in (None, index))
        return matches[0][1] if matches else None

    def xcom_pull(self, task_ids=None, dag_id=None, key=XCOM_RETURN_KEY, include_prior_dates=False, *,
                  map_indexes=NOTSET, default=None, run_id=None):
        """Airflow 3's xcom_pull: one value for one task, else a list ordered by task ids and map indexes."""
        if (dag_id not in (None, self.dag_id)) or (run_id not in (None, self.run_id)):
            return default if map_indexes is not NOTSET else None
        single_task = isinstance(task_ids, str) or task_ids is None
        single_index = map_indexes is None or isinstance(map_indexes, int)
        task_ids = [self.task_id] if task_ids is None else [task_ids] if isinstance(task_ids, str) else list(task_ids)
        if map_indexes is NOTSET:
            values = []
            for task_id in task_ids:
                found = self._values(task_id, key)
                values.extend(found if found else [None])
            if single_task and len(values) == 1:
                return values[0]
            return values
        indexes = [map_indexes] if single_index else list(map_indexes)
        values = []
        for task_id in task_ids:
            for index in indexes:
                value = self._value(task_id, key, index)
                values.append(default if value is None else value)
        if single_task and single_index:
            return values[0]
        return values

    def group_arguments(self, group):
        """A mapped task group's arguments at this try's map index."""
        if group.group_id not in self._group_arguments:
            from leoflow_runtime.mapping import mapped_arguments
            from leoflow_runtime.templating import resolve_references
            context = self.context
            resolve = lambda value: resolve_references(value, context)  # noqa: E731
            self._group_arguments[group.group_id] = mapped_arguments(group, self.map_index, resolve)
        return self._group_arguments[group.group_id]

    def resolve_xcom_arg(self, xcom_arg):
        """The value an XComArg stands for: one XCom, or the list of a mapped task's XComs (in a
        mapped task group, a task of the same group gives the value of this try's map index)."""
        from leoflow.taskgroup import mapped_group_of
        upstream = xcom_arg.operator
        group = mapped_group_of(upstream)
        if group is not None and group is mapped_group_of(self.task) and self.map_index >= 0:
            return self._value(upstream.task_id, xcom_arg.key, self.map_index)
        if upstream.is_mapped or group is not None:
            return self._values(upstream.task_id, xcom_arg.key)
        value = self._value(upstream.task_id, xcom_arg.key, -1)
        if value is not None or xcom_arg.key == XCOM_RETURN_KEY or upstream.multiple_outputs:
            return value
        raise XComNotFound(self.dag_id, upstream.task_id, xcom_arg.key)

    # Skips and templates -----------------------------------------------------

    def skip_tasks(self, task_ids):
        for task_id in task_ids:
            if task_id not in self.skipped:
                self.skipped.append(task_id)

    def render_template(self, value):
        """Render `value` with this task's context (used by @task.bash for the returned command)."""
        return self.renderer(value)

    def get_template_context(self):
        from leoflow.context import get_current_context
        return get_current_context()
