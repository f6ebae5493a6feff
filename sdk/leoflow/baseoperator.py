"""BaseOperator: a task's arguments, defaults and dependencies; chain helpers; mapping. Operators
apply `default_args` (DAG, then task groups, then their own) to any `__init__` argument they
accept, as Airflow's BaseOperatorMeta does."""
from datetime import timedelta

from leoflow import contexts, features
from leoflow.callsite import definition_line
from leoflow.errors import AirflowException, unsupported
from leoflow.keys import validate_key
from leoflow.node import DependencyMixin, _nodes
from leoflow.params import ParamsDict
from leoflow.tasklog import TaskLogger
from leoflow.timeutil import coerce_timedelta, to_utc
from leoflow.xcom_arg import XComArg, iter_references

TRIGGER_RULES = frozenset({
    "all_success", "all_failed", "all_done", "all_done_min_one_success", "all_skipped", "one_success",
    "one_done", "one_failed", "none_failed", "none_failed_min_one_success", "none_skipped", "always",
})
WEIGHT_RULES = frozenset({"downstream", "upstream", "absolute"})

# Every operator accepts these, with Airflow's defaults.
BASE_DEFAULTS = {
    "owner": "airflow", "email": None, "email_on_retry": True, "email_on_failure": True,
    "retries": 0, "retry_delay": timedelta(seconds=300), "retry_exponential_backoff": False,
    "max_retry_delay": None, "start_date": None, "end_date": None, "depends_on_past": False,
    "ignore_first_depends_on_past": True, "wait_for_downstream": False, "priority_weight": 1,
    "weight_rule": "downstream", "queue": "default", "pool": None, "pool_slots": 1,
    "execution_timeout": None, "on_execute_callback": None, "on_failure_callback": None,
    "on_success_callback": None, "on_retry_callback": None, "on_skipped_callback": None,
    "trigger_rule": "all_success", "do_xcom_push": True, "multiple_outputs": False,
    "doc": None, "doc_md": None, "doc_json": None, "doc_yaml": None, "doc_rst": None,
    "task_display_name": None, "executor_config": None, "resources": None, "inlets": None,
    "outlets": None, "logger_name": None, "allow_nested_operators": True, "pre_execute": None,
    "post_execute": None,
}

# Arguments whose behaviour Leoflow Lite does not have: refused when set.
REFUSED_ARGUMENTS = ("sla", "deferrable", "task_concurrency", "run_as_user", "executor", "start_from_trigger",
                     "start_trigger_args")
# Arguments the engine must act on: refused until it enables their feature (features.py).
ENGINE_ARGUMENTS = {"max_active_tis_per_dag": "task_concurrency", "max_active_tis_per_dagrun": "task_concurrency",
                    "map_index_template": "map_index_template", "is_setup": "setup_teardown",
                    "is_teardown": "setup_teardown", "on_failure_fail_dagrun": "setup_teardown"}

_OWN_ARGUMENTS = frozenset({"task_id", "dag", "task_group", "default_args", "params"})
# Arguments kept under another attribute name (the name itself is a method).
_HOOK_ATTRIBUTES = {"pre_execute": "_pre_execute_hook", "post_execute": "_post_execute_hook"}


def _accepted_arguments(cls):
    """Names that `cls(...)` accepts as keywords, over the whole class hierarchy (refused ones
    included, so that a refused argument in default_args is refused too)."""
    names = set(BASE_DEFAULTS) | _OWN_ARGUMENTS | set(REFUSED_ARGUMENTS) | set(ENGINE_ARGUMENTS)
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        init = getattr(init, "__wrapped__", init)
        code = getattr(init, "__code__", None)
        if code is not None:
            names.update(code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount])
    return names


def _merged_default_args(dag, group, own):
    merged = {}
    if dag is not None:
        merged.update(dag.default_args)
    if group is not None:
        merged.update(group.merged_default_args())
    merged.update(own or {})
    return merged


def _with_default_args(cls, kwargs):
    dag = kwargs.get("dag") or contexts.current_dag()
    group = kwargs.get("task_group") or contexts.current_group(dag)
    merged = _merged_default_args(dag, group, kwargs.get("default_args"))
    if not merged:
        return kwargs
    accepted = _accepted_arguments(cls)
    kwargs = dict(kwargs)
    for key, value in merged.items():
        if key in accepted and key not in kwargs and key not in _OWN_ARGUMENTS:
            kwargs[key] = value
    kwargs["default_args"] = merged
    return kwargs


def _wrap_init(init):
    def __init__(self, *args, **kwargs):
        if args:
            raise AirflowException("Use keyword arguments when initializing operators")
        outermost = "_leoflow_initializing" not in self.__dict__
        if outermost:
            self.__dict__["_leoflow_initializing"] = True
            kwargs = _with_default_args(type(self), kwargs)
        try:
            init(self, **kwargs)
        finally:
            if outermost:
                del self.__dict__["_leoflow_initializing"]
        if outermost:
            self.set_xcomargs_dependencies()

    __init__.__wrapped__ = init
    __init__.__doc__ = init.__doc__
    return __init__


def parse_retries(retries):
    if retries is None:
        return 0
    if isinstance(retries, int) and not isinstance(retries, bool):
        return retries
    try:
        return int(retries)
    except (TypeError, ValueError):
        raise AirflowException(f"'retries' type must be int, not {type(retries).__name__}") from None


def get_unique_task_id(task_id, dag=None, task_group=None):
    """`task_id`, or `task_id__N` when the DAG already has it (repeated TaskFlow calls)."""
    dag = dag or contexts.current_dag()
    if dag is None:
        return task_id
    task_group = task_group or contexts.current_group(dag)
    full_id = task_group.child_id(task_id) if task_group is not None else task_id
    if full_id not in dag.task_dict:
        return task_id
    prefix = _strip_suffix(full_id)
    used = [0]
    for existing in dag.task_dict:
        head, sep, tail = existing.rpartition("__")
        if sep and head == prefix and tail.isdigit():
            used.append(int(tail))
    return f"{_strip_suffix(task_id)}__{max(used) + 1}"


def _strip_suffix(task_id):
    head, sep, tail = task_id.rpartition("__")
    return head if sep and head and tail.isdigit() else task_id


class BaseOperator(DependencyMixin):
    """A task: an operator instance with an id, arguments and places in the graph."""

    template_fields = ()
    template_ext = ()
    template_fields_renderers = {}
    ui_color = "#fff"
    ui_fgcolor = "#000"
    # How the engine runs it: python, bash, empty, branch or short_circuit.
    leoflow_kind = "python"
    is_mapped = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not hasattr(init, "__wrapped__"):
            cls.__init__ = _wrap_init(init)

    def __init__(self, *, task_id, dag=None, task_group=None, default_args=None, params=None, **kwargs):
        for name in REFUSED_ARGUMENTS:
            value = kwargs.pop(name, None)
            if value:
                raise unsupported(f"{name}={value!r}")
        engine_values = {name: kwargs.pop(name, None) for name in ENGINE_ARGUMENTS}
        for name, value in engine_values.items():
            if value:
                features.require(ENGINE_ARGUMENTS[name], f"{name}={value!r}")
        invalid = {key: value for key, value in kwargs.items() if key not in BASE_DEFAULTS}
        if invalid:
            raise TypeError(f"Invalid arguments were passed to {type(self).__name__} (task_id: {task_id}). "
                            f"Invalid arguments were:\n**kwargs: {invalid}")
        values = dict(BASE_DEFAULTS)
        values.update(kwargs)
        validate_key(task_id)
        if dag is None:
            dag = task_group.dag if task_group is not None else contexts.current_dag()
        if task_group is None and dag is not None:
            task_group = contexts.current_group(dag)
        self.task_id = task_group.child_id(task_id) if task_group is not None else task_id

        self.owner = values["owner"]
        self.email = values["email"]
        self.email_on_retry = values["email_on_retry"]
        self.email_on_failure = values["email_on_failure"]
        self.retries = parse_retries(values["retries"])
        self.retry_delay = coerce_timedelta(values["retry_delay"], "retry_delay")
        self.retry_exponential_backoff = bool(values["retry_exponential_backoff"])
        self.max_retry_delay = coerce_timedelta(values["max_retry_delay"], "max_retry_delay")
        self.execution_timeout = values["execution_timeout"]
        if self.execution_timeout is not None and not isinstance(self.execution_timeout, timedelta):
            raise ValueError(f"execution_timeout must be timedelta object but passed as type: "
                             f"{type(self.execution_timeout)}")
        self.start_date = to_utc(values["start_date"])
        self.end_date = to_utc(values["end_date"])
        self.trigger_rule = str(getattr(values["trigger_rule"], "value", values["trigger_rule"]))
        if engine_values["is_teardown"]:
            self.trigger_rule = "all_done_setup_success"
        if self.trigger_rule not in TRIGGER_RULES and self.trigger_rule != "all_done_setup_success":
            raise AirflowException(f"The trigger_rule must be one of {sorted(TRIGGER_RULES)},"
                                   f"'{dag.dag_id if dag else None}.{task_id}'; received {self.trigger_rule}.")
        self.depends_on_past = bool(values["depends_on_past"])
        self.ignore_first_depends_on_past = bool(values["ignore_first_depends_on_past"])
        self.wait_for_downstream = bool(values["wait_for_downstream"])
        if self.wait_for_downstream:
            self.depends_on_past = True
        self.priority_weight = int(values["priority_weight"])
        self.weight_rule = str(getattr(values["weight_rule"], "value", values["weight_rule"]))
        if self.weight_rule not in WEIGHT_RULES:
            raise AirflowException(f"The weight_rule must be one of {sorted(WEIGHT_RULES)},"
                                   f"'{dag.dag_id if dag else None}.{task_id}'; received '{self.weight_rule}'.")
        self.queue = values["queue"]
        self.pool = values["pool"] or "default_pool"
        self.pool_slots = values["pool_slots"]
        if self.pool_slots < 1:
            dag_str = f" in dag {dag.dag_id}" if dag is not None else ""
            raise ValueError(f"pool slots for {task_id}{dag_str} cannot be less than 1")
        self.do_xcom_push = bool(values["do_xcom_push"])
        self.multiple_outputs = bool(values["multiple_outputs"])
        self.max_active_tis_per_dag = engine_values["max_active_tis_per_dag"]
        self.max_active_tis_per_dagrun = engine_values["max_active_tis_per_dagrun"]
        self.map_index_template = engine_values["map_index_template"]
        self._is_setup = bool(engine_values["is_setup"])
        self._is_teardown = bool(engine_values["is_teardown"])
        self._on_failure_fail_dagrun = bool(engine_values["on_failure_fail_dagrun"])
        self._pre_execute_hook = values["pre_execute"]
        self._post_execute_hook = values["post_execute"]
        for name in ("doc", "doc_md", "doc_json", "doc_yaml", "doc_rst", "task_display_name",
                     "executor_config", "resources", "logger_name", "allow_nested_operators",
                     "on_execute_callback", "on_failure_callback", "on_success_callback",
                     "on_retry_callback", "on_skipped_callback"):
            setattr(self, name, values[name])
        self.inlets = list(values["inlets"] or [])
        self.outlets = list(values["outlets"] or [])
        self.default_args = dict(default_args or {})
        self.params = ParamsDict(self.default_args.get("params"))
        self.params.update(ParamsDict(params))

        self.upstream_task_ids = set()
        self.downstream_task_ids = set()
        self.dag = None
        self.task_group = None
        self.line = definition_line()
        if dag is not None:
            dag.add_task(self, task_group)

    def set_xcomargs_dependencies(self):
        """Make every task whose XComArg sits in a templated field an upstream of this one."""
        for field in self.template_fields:
            for ref in iter_references(getattr(self, field, None)):
                self.set_upstream(ref.operator)

    @classmethod
    def partial(cls, **kwargs):
        return OperatorPartial(cls, kwargs)

    def dependency_roots(self):
        return [self]

    def dependency_leaves(self):
        return [self]

    @property
    def dag_id(self):
        return self.dag.dag_id if self.dag is not None else f"adhoc_{self.owner}"

    @property
    def operator_name(self):
        return getattr(type(self), "custom_operator_name", None) or type(self).__name__

    @property
    def task_type(self):
        return type(self).__name__

    @property
    def label(self):
        group = self.task_group
        if group is not None and group.prefix_group_id and group.group_id:
            return self.task_id[len(group.group_id) + 1:]
        return self.task_id

    @property
    def output(self):
        return XComArg(self)

    @property
    def upstream_list(self):
        return [self.dag.get_task(task_id) for task_id in sorted(self.upstream_task_ids)]

    @property
    def downstream_list(self):
        return [self.dag.get_task(task_id) for task_id in sorted(self.downstream_task_ids)]

    def get_direct_relatives(self, upstream=False):
        return self.upstream_list if upstream else self.downstream_list

    def get_direct_relative_ids(self, upstream=False):
        return set(self.upstream_task_ids if upstream else self.downstream_task_ids)

    def get_flat_relative_ids(self, upstream=False):
        """Ids of every task reachable downstream (or upstream) of this one."""
        found = set()
        pending = [self]
        while pending:
            task = pending.pop()
            for task_id in task.get_direct_relative_ids(upstream):
                if task_id not in found:
                    found.add(task_id)
                    pending.append(self.dag.get_task(task_id))
        return found

    def get_flat_relatives(self, upstream=False):
        return [self.dag.get_task(task_id) for task_id in sorted(self.get_flat_relative_ids(upstream))]

    @property
    def log(self):
        return TaskLogger(f"airflow.task.operators.{type(self).__module__}.{type(self).__name__}")

    def pre_execute(self, context):
        """Runs just before execute() (the `pre_execute` hook, used by @task.run_if / @task.skip_if)."""
        if self._pre_execute_hook is not None:
            self._pre_execute_hook(context)

    def post_execute(self, context, result=None):
        """Runs just after execute() with its result (the `post_execute` hook)."""
        if self._post_execute_hook is not None:
            self._post_execute_hook(context, result)

    def execute(self, context):
        raise NotImplementedError()

    def defer(self, *args, **kwargs):
        raise unsupported("deferrable operators (self.defer)")

    def xcom_push(self, context, key, value):
        context["ti"].xcom_push(key=key, value=value)

    def xcom_pull(self, context, task_ids=None, dag_id=None, key="return_value", **kwargs):
        return context["ti"].xcom_pull(task_ids=task_ids, dag_id=dag_id, key=key, **kwargs)

    @property
    def is_setup(self):
        return self._is_setup

    @is_setup.setter
    def is_setup(self, value):
        if value:
            features.require("setup_teardown", "setup tasks")
        self._is_setup = bool(value)

    @property
    def is_teardown(self):
        return self._is_teardown

    @is_teardown.setter
    def is_teardown(self, value):
        if value:
            features.require("setup_teardown", "teardown tasks")
            # As Airflow: a teardown runs once its setups are done and at least one succeeded.
            self.trigger_rule = "all_done_setup_success"
        self._is_teardown = bool(value)

    @property
    def on_failure_fail_dagrun(self):
        return self._on_failure_fail_dagrun

    @on_failure_fail_dagrun.setter
    def on_failure_fail_dagrun(self, value):
        if value:
            features.require("setup_teardown", "teardown tasks (on_failure_fail_dagrun)")
        self._on_failure_fail_dagrun = bool(value)

    def as_setup(self):
        """Mark this task a setup task (Airflow's .as_setup())."""
        self.is_setup = True
        return self

    def as_teardown(self, *, setups=None, on_failure_fail_dagrun=None):
        """Mark this task a teardown task, downstream of `setups` (Airflow's .as_teardown())."""
        self.is_teardown = True
        if on_failure_fail_dagrun is not None:
            self.on_failure_fail_dagrun = on_failure_fail_dagrun
        if setups is not None:
            for setup in _nodes(setups):
                for node in setup.dependency_leaves():
                    node.is_setup = True
            self.set_upstream(setups)
        return self

    def __repr__(self):
        return f"<Task({type(self).__name__}): {self.task_id}>"


BaseOperator.__init__ = _wrap_init(BaseOperator.__init__)


class OperatorPartial:
    """`SomeOperator.partial(...)`: an operator waiting for `.expand()` / `.expand_kwargs()`."""

    def __init__(self, operator_class, kwargs):
        if "task_id" not in kwargs:
            raise TypeError("partial() missing required argument 'task_id'")
        self.operator_class = operator_class
        self.kwargs = kwargs

    def expand(self, **mapped_kwargs):
        if not mapped_kwargs:
            raise TypeError("no arguments to expand against")
        accepted = _accepted_arguments(self.operator_class)
        for name in mapped_kwargs:
            if name not in accepted:
                raise TypeError(f"{self.operator_class.__name__}.expand() got an unexpected keyword "
                                f"argument {name!r}")
            if name in self.kwargs:
                raise TypeError(f"mapping already partial argument: {name}")
        specific, base = split_partial_kwargs(self.kwargs)
        return MappedOperator(operator_class=self.operator_class, partial_kwargs=specific,
                              expand_kind="expand", expand_value=mapped_kwargs, **base)

    def expand_kwargs(self, kwargs, strict=True):
        check_expand_kwargs(kwargs)
        specific, base = split_partial_kwargs(self.kwargs)
        return MappedOperator(operator_class=self.operator_class, partial_kwargs=specific,
                              expand_kind="expand_kwargs", expand_value=kwargs, **base)


def split_partial_kwargs(kwargs):
    """(operator-specific arguments, arguments every task takes) of a partial() call."""
    specific = {}
    base = {}
    for key, value in kwargs.items():
        (base if key in BASE_DEFAULTS or key in _OWN_ARGUMENTS or key in ENGINE_ARGUMENTS else specific)[key] = value
    return specific, base


def check_expand_kwargs(kwargs):
    if isinstance(kwargs, XComArg):
        return
    if isinstance(kwargs, (list, tuple)):
        for item in kwargs:
            if not isinstance(item, (XComArg, dict)):
                raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")
        return
    raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")


def check_mappable(name, value):
    if not isinstance(value, (XComArg, list, tuple, dict)):
        raise ValueError(f"expand() got an unexpected type {type(value).__name__!r} for keyword argument {name!r}")


class MappedOperator(BaseOperator):
    """A task expanded at run time into one task instance per element of its mapped input.

    `expand_target` is "op_kwargs" for TaskFlow tasks (mapped values are the
    function's arguments) and None for classic operators (operator arguments).
    """

    is_mapped = True

    def __init__(self, *, operator_class, partial_kwargs, expand_kind, expand_value, expand_target=None,
                 **kwargs):
        if expand_kind == "expand":
            for name, value in expand_value.items():
                check_mappable(name, value)
        self.operator_class = operator_class
        self.expand_kind = expand_kind
        self.expand_value = expand_value
        self.expand_target = expand_target
        self.partial_kwargs = partial_kwargs
        super().__init__(**kwargs)
        if self.trigger_rule == "always" and any(True for _ in iter_references(expand_value)):
            raise ValueError("Task-generated mapping within a task using 'expand' is not allowed with "
                             "trigger rule 'always'.")

    def set_xcomargs_dependencies(self):
        for value in (self.partial_kwargs, self.expand_value):
            for ref in iter_references(value):
                self.set_upstream(ref.operator)

    @property
    def template_fields(self):
        return self.operator_class.template_fields

    @property
    def template_ext(self):
        return self.operator_class.template_ext

    @property
    def ui_color(self):
        return self.operator_class.ui_color

    @property
    def ui_fgcolor(self):
        return self.operator_class.ui_fgcolor

    @property
    def leoflow_kind(self):
        kind = self.operator_class.leoflow_kind
        return kind.fget(self) if isinstance(kind, property) else kind

    @property
    def operator_name(self):
        return getattr(self.operator_class, "custom_operator_name", None) or self.operator_class.__name__

    @property
    def task_type(self):
        return self.operator_class.__name__

    def unmap(self, mapped_kwargs, resolve):
        """The concrete operator for one map index, given that index's mapped arguments.

        `resolve` turns the XComArgs left in the partial arguments into values.
        """
        kwargs = resolve(dict(self.partial_kwargs))
        if self.expand_target:
            kwargs[self.expand_target] = {**kwargs.get(self.expand_target, {}), **mapped_kwargs}
        else:
            kwargs.update(mapped_kwargs)
        for name in BASE_DEFAULTS:
            kwargs.setdefault(name, getattr(self, _HOOK_ATTRIBUTES.get(name, name), BASE_DEFAULTS[name]))
        for name in ENGINE_ARGUMENTS:
            kwargs.setdefault(name, getattr(self, name))
        operator = self.operator_class(task_id=self.task_id, default_args=self.default_args, **kwargs)
        operator.dag = self.dag
        operator.task_group = self.task_group
        operator.upstream_task_ids = self.upstream_task_ids
        operator.downstream_task_ids = self.downstream_task_ids
        operator.params = self.params
        return operator


def chain(*tasks):
    """Airflow's chain(): each element downstream of the previous; equal-length lists pairwise."""
    for up_task, down_task in zip(tasks, tasks[1:]):
        if isinstance(up_task, DependencyMixin):
            up_task.set_downstream(down_task)
            continue
        if isinstance(down_task, DependencyMixin):
            down_task.set_upstream(up_task)
            continue
        if not isinstance(up_task, (list, tuple)) or not isinstance(down_task, (list, tuple)):
            raise TypeError(f"Chain not supported between instances of {type(up_task)} and {type(down_task)}")
        if len(up_task) != len(down_task):
            raise AirflowException(f"Chain not supported for different length Iterable. "
                                   f"Got {len(up_task)} and {len(down_task)}.")
        for up, down in zip(up_task, down_task):
            up.set_downstream(down)


def chain_linear(*elements):
    """Every task of each element upstream of every task of the next."""
    if len(elements) < 2:
        raise ValueError("No dependencies were set. Did you forget to expand with `*`?")
    for previous, following in zip(elements, elements[1:]):
        for node in _nodes(previous):
            node.set_downstream(following)


def cross_downstream(from_tasks, to_tasks):
    """Every task of `from_tasks` upstream of every task of `to_tasks`."""
    for task in from_tasks:
        task.set_downstream(to_tasks)


__all__ = ["BaseOperator", "MappedOperator", "OperatorPartial", "chain", "chain_linear",
           "cross_downstream", "get_unique_task_id", "parse_retries"]
