"""DAG, the @dag decorator and DagParam. DAGs opened with `with` (and those built by calling a @dag
function) are auto-registered, as in Airflow; the parser also collects module-level DAGs."""
from datetime import timedelta

from leoflow import contexts, features
from leoflow.callsite import user_frame
from leoflow.errors import AirflowException, DuplicateTaskIdFound, ParamValidationError, TaskNotFound, unsupported
from leoflow.keys import validate_key
from leoflow.params import NOTSET, ParamsDict
from leoflow.timeutil import to_utc

PRESETS = ("@once", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually")
# The expressions of the cron presets (what Airflow shows as a timetable's summary).
CRON_PRESETS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *",
                "@quarterly": "0 0 1 */3 *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"}
_CRON_CHARS = frozenset("0123456789*/,-?LW#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

# DAGs in the order their `with` blocks closed (or their @dag function returned).
registry = []


def _check_schedule(schedule):
    """The schedule as Leoflow keeps it: None, a preset or cron string, or a timedelta."""
    if schedule is None or isinstance(schedule, timedelta):
        return schedule
    if isinstance(schedule, str):
        if schedule == "@continuous":
            raise unsupported("schedule='@continuous'")
        if schedule.startswith("@"):
            if schedule not in PRESETS:
                raise ValueError(f"{schedule!r} is not a valid schedule.")
            return schedule
        fields = schedule.split()
        if len(fields) != 5 or not all(set(field) <= _CRON_CHARS for field in fields):
            raise ValueError(f"Invalid timetable expression: {schedule!r} is not a valid cron expression")
        return " ".join(fields)
    from leoflow.assets import BaseAsset, schedule_condition
    from leoflow.timetables import Timetable
    if isinstance(schedule, BaseAsset) or (isinstance(schedule, (list, tuple, set))
                                            and all(isinstance(item, BaseAsset) for item in schedule)):
        features.require("assets", "Asset (Dataset) schedules")
        return schedule_condition(schedule)
    if isinstance(schedule, (list, tuple, set)):
        raise unsupported("Asset (Dataset) schedules")
    if isinstance(schedule, Timetable):
        return schedule
    if hasattr(schedule, "next_dagrun_info") or hasattr(schedule, "infer_manual_data_interval"):
        raise unsupported("custom timetables")
    raise ValueError(f"{schedule!r} is not a valid schedule.")


def _read_doc_md(doc_md):
    if doc_md is not None and doc_md.endswith(".md"):
        try:
            with open(doc_md) as handle:
                return handle.read()
        except OSError:
            return doc_md
    return doc_md


class DAG:
    """A collection of tasks with dependencies, a schedule and run settings."""

    def __init__(self, dag_id, description=None, schedule=NOTSET, start_date=None, end_date=None,
                 template_searchpath=None, template_undefined=None, user_defined_macros=None,
                 user_defined_filters=None, default_args=None, max_active_tasks=None, max_active_runs=None,
                 max_consecutive_failed_dag_runs=None, dagrun_timeout=None, catchup=False,
                 on_success_callback=None, on_failure_callback=None, doc_md=None, params=None,
                 access_control=None, is_paused_upon_creation=None, jinja_environment_kwargs=None,
                 render_template_as_native_obj=False, tags=None, owner_links=None, auto_register=True,
                 fail_fast=False, dag_display_name=None, schedule_interval=NOTSET, concurrency=None,
                 timetable=None, sla_miss_callback=None, deadline=None, default_view=None, orientation=None,
                 disable_bundle_versioning=False):
        validate_key(dag_id)
        for name, value in (("sla_miss_callback", sla_miss_callback), ("deadline", deadline),
                            ("fail_fast", fail_fast)):
            if value:
                raise unsupported(f"DAG {name}")
        for name, value in (("on_success_callback", on_success_callback),
                            ("on_failure_callback", on_failure_callback)):
            if value:
                features.require("dag_callbacks", f"DAG {name}")
        self.on_success_callback = on_success_callback
        self.on_failure_callback = on_failure_callback
        if schedule is not NOTSET and schedule_interval is not NOTSET:
            raise ValueError("You must either provide `schedule` or `schedule_interval`, not both")
        if timetable is not None:
            if schedule is not NOTSET or schedule_interval is not NOTSET:
                raise ValueError("You must either provide `schedule` or `timetable`, not both")
            from leoflow.timetables import Timetable
            if not isinstance(timetable, Timetable):
                raise unsupported("custom timetables")
            schedule = timetable
        if schedule is NOTSET:
            schedule = None if schedule_interval is NOTSET else schedule_interval
        self.dag_id = dag_id
        self.dag_display_name = dag_display_name or dag_id
        if description is not None and not isinstance(description, str):
            raise TypeError(f"'description' must be <class 'str'> (got {description!r})")
        self.description = description
        self.schedule = _check_schedule(schedule)
        self.default_args = dict(default_args or {})
        self.start_date = to_utc(start_date if start_date is not None else self.default_args.get("start_date"))
        self.end_date = to_utc(end_date if end_date is not None else self.default_args.get("end_date"))
        for key in ("start_date", "end_date"):
            if self.default_args.get(key) is not None:
                self.default_args[key] = to_utc(self.default_args[key])
        self.template_searchpath = [template_searchpath] if isinstance(template_searchpath, str) \
            else list(template_searchpath or [])
        self.template_undefined = template_undefined
        self.user_defined_macros = user_defined_macros
        self.user_defined_filters = user_defined_filters
        self.jinja_environment_kwargs = jinja_environment_kwargs
        self.max_active_tasks = max_active_tasks if max_active_tasks is not None else (concurrency or 16)
        self.max_active_runs = max_active_runs if max_active_runs is not None else 16
        self.max_consecutive_failed_dag_runs = max_consecutive_failed_dag_runs or 0
        if dagrun_timeout is not None and not isinstance(dagrun_timeout, timedelta):
            raise TypeError(f"'dagrun_timeout' must be <class 'datetime.timedelta'> (got {dagrun_timeout!r})")
        self.dagrun_timeout = dagrun_timeout
        self.catchup = bool(catchup)
        if self.catchup and self.schedule not in (None, "@once") and self.start_date is None:
            raise ValueError("start_date is required when catchup=True")
        self.doc_md = _read_doc_md(doc_md)
        merged_params = dict(self.default_args.pop("params", None) or {})
        self.params = ParamsDict(params)
        self.params.update(merged_params)
        if self.schedule is not None:
            try:
                self.params.validate()
            except ParamValidationError as error:
                raise ValueError(f"Dag {dag_id!r} is not allowed to define a Schedule, as there are required "
                                 "params without default values, or the default values are not valid.") from error
        self.access_control = access_control
        self.is_paused_upon_creation = is_paused_upon_creation
        self.render_template_as_native_obj = bool(render_template_as_native_obj)
        self.tags = set(tags or [])
        for tag in self.tags:
            if len(tag) > 100:
                raise ValueError("tag cannot be longer than 100 characters")
        self.owner_links = dict(owner_links or {})
        self.auto_register = auto_register
        self.task_dict = {}
        self.task_group_dict = {}
        # TaskFlow functions decorated inside this DAG: [(decorator, filename, line)].
        self.decorated_tasks = []
        frame = user_frame()
        self.fileloc = frame.f_code.co_filename if frame is not None else ""

        from leoflow.taskgroup import TaskGroup
        self.task_group = TaskGroup.create_root(self)

    def __enter__(self):
        contexts.push_dag(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        contexts.pop_dag()
        if self.auto_register and exc_type is None and self not in registry:
            registry.append(self)

    def __repr__(self):
        return f"<DAG: {self.dag_id}>"

    @property
    def schedule_interval(self):
        return self.schedule

    @property
    def timetable_summary(self):
        if self.schedule is None:
            return None
        if isinstance(self.schedule, timedelta):
            return str(self.schedule)
        if isinstance(self.schedule, str):
            return CRON_PRESETS.get(self.schedule, self.schedule)
        if hasattr(self.schedule, "summary"):
            return self.schedule.summary
        return "Asset"

    @property
    def owner(self):
        return ", ".join(sorted({task.owner for task in self.task_dict.values()})) or "airflow"

    @property
    def folder(self):
        import os
        return os.path.dirname(self.fileloc)

    @property
    def tasks(self):
        return list(self.task_dict.values())

    @property
    def task_ids(self):
        return list(self.task_dict)

    @property
    def roots(self):
        return [task for task in self.task_dict.values() if not task.upstream_task_ids]

    @property
    def leaves(self):
        return [task for task in self.task_dict.values() if not task.downstream_task_ids]

    def has_task(self, task_id):
        return task_id in self.task_dict

    def get_task(self, task_id):
        if task_id in self.task_dict:
            return self.task_dict[task_id]
        raise TaskNotFound(f"Task {task_id} not found")

    def add_task(self, task, task_group=None):
        """Register `task` (with its final id) in this DAG and in its task group."""
        if task.task_id in self.task_dict and self.task_dict[task.task_id] is not task:
            raise DuplicateTaskIdFound(f"Task id '{task.task_id}' has already been added to the DAG")
        if task.task_id in self.task_group_dict:
            raise DuplicateTaskIdFound(f"Task id '{task.task_id}' has already been added to the DAG")
        if task.start_date is None:
            task.start_date = self.start_date
        elif self.start_date is not None:
            task.start_date = max(task.start_date, self.start_date)
        if task.end_date is None:
            task.end_date = self.end_date
        elif self.end_date is not None:
            task.end_date = min(task.end_date, self.end_date)
        task.dag = self
        self.task_dict[task.task_id] = task
        group = task_group if task_group is not None and task_group.dag is self else self.task_group
        task.task_group = group
        group.children[task.task_id] = task

    def add_tasks(self, tasks):
        for task in tasks:
            self.add_task(task)

    def param(self, name, default=NOTSET):
        return DagParam(self, name, default)

    def test(self, *args, **kwargs):
        raise unsupported("dag.test()")

    def cli(self, *args, **kwargs):
        raise unsupported("dag.cli()")


class DagParam:
    """A reference to a DAG param, resolved at run time from the run's conf, else the default."""

    def __init__(self, current_dag, name, default=NOTSET):
        if default is not NOTSET:
            current_dag.params[name] = default
        self._name = name
        self._default = default
        self.current_dag = current_dag

    def resolve(self, context):
        conf = context["dag_run"].conf or {}
        if self._name in conf:
            return conf[self._name]
        if self._default is not NOTSET:
            return self._default
        if self._name in context["params"]:
            return context["params"][self._name]
        raise AirflowException(f"No value could be resolved for parameter {self._name}")

    def __repr__(self):
        return f"DagParam({self._name!r})"


def _bind_defaults(function, args, kwargs):
    """The function's arguments by name with defaults applied (signature().bind() without inspect)."""
    code = function.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    positional = names[:code.co_argcount]
    if len(args) > len(positional):
        raise TypeError(f"{function.__name__}() takes {len(positional)} positional arguments but "
                        f"{len(args)} were given")
    bound = dict(zip(positional, args))
    for name, value in kwargs.items():
        if name in bound:
            raise TypeError(f"{function.__name__}() got multiple values for argument '{name}'")
        if name not in names:
            raise TypeError(f"{function.__name__}() got an unexpected keyword argument '{name}'")
        bound[name] = value
    defaults = function.__defaults__ or ()
    for name, value in zip(positional[len(positional) - len(defaults):], defaults):
        bound.setdefault(name, value)
    for name, value in (function.__kwdefaults__ or {}).items():
        bound.setdefault(name, value)
    missing = [name for name in names if name not in bound]
    if missing:
        raise TypeError(f"{function.__name__}() missing required argument: '{missing[0]}'")
    return {name: bound[name] for name in names}


def dag(dag_id_or_func=None, **decorator_kwargs):
    """@dag: calling the decorated function builds the DAG (its arguments become params)."""

    def wrapper(function):
        if "dag_id" in decorator_kwargs:
            dag_id = decorator_kwargs.pop("dag_id")
        elif isinstance(dag_id_or_func, str) and dag_id_or_func.strip():
            dag_id = dag_id_or_func
        else:
            dag_id = function.__name__

        def factory(*args, **kwargs):
            arguments = _bind_defaults(function, args, kwargs)
            with DAG(dag_id, **decorator_kwargs) as dag_object:
                if function.__doc__ and not dag_object.doc_md:
                    dag_object.doc_md = function.__doc__
                function(**{name: dag_object.param(name, value) for name, value in arguments.items()})
            return dag_object

        factory.__name__ = function.__name__
        factory.__qualname__ = function.__qualname__
        factory.__doc__ = function.__doc__
        factory.__module__ = function.__module__
        factory.__wrapped__ = function
        return factory

    if callable(dag_id_or_func) and not isinstance(dag_id_or_func, str):
        return wrapper(dag_id_or_func)
    return wrapper
