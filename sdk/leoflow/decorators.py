"""TaskFlow: @task (and @task.bash / .branch / .short_circuit), override, partial, expand. Calling a
decorated function inside a DAG creates a task and returns its XComArg; XComArgs among the
arguments become upstream dependencies."""
from leoflow import contexts
from leoflow.baseoperator import (BaseOperator, MappedOperator, check_expand_kwargs, get_unique_task_id,
                                  split_partial_kwargs)
from leoflow import features
from leoflow.errors import AirflowException, AirflowSkipException, unsupported
from leoflow.operators import (BashOperator, BranchPythonOperator, PythonOperator, ShortCircuitOperator,
                               context_merge, determine_kwargs)
from leoflow.sensors import BaseSensorOperator, PokeReturnValue
from leoflow.venv_operators import (BranchExternalPythonOperator, BranchPythonVirtualenvOperator,
                                    ExternalPythonOperator, PythonVirtualenvOperator)
from leoflow.xcom_arg import XComArg

# Context keys that a TaskFlow function may take as parameters (Airflow's KNOWN_CONTEXT_KEYS).
KNOWN_CONTEXT_KEYS = frozenset({
    "conn", "dag", "dag_run", "data_interval_end", "data_interval_start", "ds", "ds_nodash", "exception",
    "expanded_ti_count", "inlets", "inlet_events", "logical_date", "macros", "map_index_template", "outlets",
    "outlet_events", "params", "prev_data_interval_start_success", "prev_data_interval_end_success",
    "prev_start_date_success", "prev_end_date_success", "reason", "run_id", "start_date", "task",
    "task_reschedule_count", "task_instance", "task_instance_key_str", "test_mode", "templates_dict", "ti",
    "triggering_asset_events", "ts", "ts_nodash", "ts_nodash_with_tz", "try_number", "var",
})

_VARARGS = 0x04
_VARKEYWORDS = 0x08


def parameter_names(function):
    """Names of the function's parameters (positional first), without importing inspect."""
    code = getattr(function, "__code__", None)
    if code is None:
        return ()
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _accepts_any_keyword(function):
    code = getattr(function, "__code__", None)
    return code is None or bool(code.co_flags & _VARKEYWORDS)


def _check_binding(function, args, kwargs, partial=False):
    """Raise the TypeError signature().bind() gives, context keys counting as optional."""
    code = getattr(function, "__code__", None)
    if code is None:
        return
    names = parameter_names(function)
    positional = names[:code.co_argcount]
    if len(args) > len(positional) and not code.co_flags & _VARARGS:
        raise TypeError("too many positional arguments")
    bound = set(positional[:len(args)])
    keyword_names = names[code.co_posonlyargcount:]
    for name in kwargs:
        if name in bound:
            raise TypeError(f"multiple values for argument '{name}'")
        if name not in keyword_names and not code.co_flags & _VARKEYWORDS:
            raise TypeError(f"got an unexpected keyword argument '{name}'")
    if partial:
        return
    defaults = function.__defaults__ or ()
    optional = set(positional[len(positional) - len(defaults):]) | set(function.__kwdefaults__ or {})
    for name in names:
        if name not in bound and name not in kwargs and name not in optional and name not in KNOWN_CONTEXT_KEYS:
            raise TypeError(f"missing a required argument: '{name}'")


def _infer_multiple_outputs(function):
    """True when the return annotation is a mapping type (`-> dict`), as Airflow infers."""
    annotation = getattr(function, "__annotations__", {}).get("return")
    if annotation is None:
        return False
    if isinstance(annotation, str):
        try:
            annotation = eval(annotation, getattr(function, "__globals__", {}))
        except Exception:
            return False
    from collections.abc import Mapping
    origin = getattr(annotation, "__origin__", annotation)
    return isinstance(origin, type) and issubclass(origin, Mapping)


class DecoratedOperator(BaseOperator):
    """Base of TaskFlow operators: keeps the function and its call arguments."""

    template_fields = ("op_args", "op_kwargs")
    custom_operator_name = "@task"

    def __init__(self, *, python_callable, task_id, op_args=None, op_kwargs=None, kwargs_to_upstream=None,
                 **kwargs):
        task_id = get_unique_task_id(task_id, kwargs.get("dag"), kwargs.get("task_group"))
        op_args = list(op_args or ())
        op_kwargs = dict(op_kwargs or {})
        _check_binding(python_callable, op_args, op_kwargs)
        super().__init__(task_id=task_id, **(kwargs_to_upstream or {}), **kwargs)
        self.python_callable = python_callable
        self.op_args = op_args
        self.op_kwargs = op_kwargs


class _PythonDecoratedOperator(DecoratedOperator, PythonOperator):
    template_fields = ("templates_dict", "op_args", "op_kwargs")
    custom_operator_name = "@task"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
        upstream = {"python_callable": python_callable, "op_args": op_args, "op_kwargs": op_kwargs}
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         kwargs_to_upstream=upstream, **kwargs)


class _BranchPythonDecoratedOperator(DecoratedOperator, BranchPythonOperator):
    template_fields = ("templates_dict", "op_args", "op_kwargs")
    custom_operator_name = "@task.branch"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
        upstream = {"python_callable": python_callable, "op_args": op_args, "op_kwargs": op_kwargs}
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         kwargs_to_upstream=upstream, **kwargs)


class _ShortCircuitDecoratedOperator(DecoratedOperator, ShortCircuitOperator):
    template_fields = ("templates_dict", "op_args", "op_kwargs")
    custom_operator_name = "@task.short_circuit"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
        upstream = {"python_callable": python_callable, "op_args": op_args, "op_kwargs": op_kwargs}
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         kwargs_to_upstream=upstream, **kwargs)


class _BashDecoratedOperator(DecoratedOperator, BashOperator):
    """@task.bash: the function returns the command, which is then rendered and run."""

    template_fields = ("op_args", "op_kwargs", "bash_command", "env", "cwd")
    custom_operator_name = "@task.bash"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
        kwargs.pop("multiple_outputs", None)
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         kwargs_to_upstream={"bash_command": None, "multiple_outputs": False}, **kwargs)

    def execute(self, context):
        context_merge(context, self.op_kwargs)
        kwargs = determine_kwargs(self.python_callable, self.op_args, context)
        command = self.python_callable(*self.op_args, **kwargs)
        if not isinstance(command, str) or command.strip() == "":
            raise TypeError("The returned value from the TaskFlow callable must be a non-empty string.")
        self._unrendered_bash_command = command
        self.bash_command = context["ti"].render_template(command)
        return super().execute(context)


class _DecoratedSensorOperator(DecoratedOperator, BaseSensorOperator):
    """@task.sensor: the function is the poke; it returns a bool or a PokeReturnValue."""

    template_fields = ("op_args", "op_kwargs")
    custom_operator_name = "@task.sensor"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
        kwargs.pop("multiple_outputs", None)
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         kwargs_to_upstream={"multiple_outputs": False}, **kwargs)

    def poke(self, context):
        context_merge(context, self.op_kwargs)
        kwargs = determine_kwargs(self.python_callable, self.op_args, context)
        result = self.python_callable(*self.op_args, **kwargs)
        return result if isinstance(result, PokeReturnValue) else PokeReturnValue(bool(result))


def _venv_decorated(base, name):
    """A TaskFlow form of a PythonVirtualenvOperator / ExternalPythonOperator class."""

    class _VenvDecoratedOperator(DecoratedOperator, base):
        template_fields = base.template_fields
        custom_operator_name = name

        def __init__(self, *, python_callable, op_args=None, op_kwargs=None, **kwargs):
            upstream = {"python_callable": python_callable, "op_args": op_args, "op_kwargs": op_kwargs}
            super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                             kwargs_to_upstream=upstream, **kwargs)

    return _VenvDecoratedOperator


_PythonVirtualenvDecoratedOperator = _venv_decorated(PythonVirtualenvOperator, "@task.virtualenv")
_PythonVirtualenvDecoratedOperator.__name__ = "_PythonVirtualenvDecoratedOperator"
_PythonExternalDecoratedOperator = _venv_decorated(ExternalPythonOperator, "@task.external_python")
_PythonExternalDecoratedOperator.__name__ = "_PythonExternalDecoratedOperator"
_BranchPythonVirtualenvDecoratedOperator = _venv_decorated(BranchPythonVirtualenvOperator, "@task.branch_virtualenv")
_BranchPythonVirtualenvDecoratedOperator.__name__ = "_BranchPythonVirtualenvDecoratedOperator"
_BranchExternalPythonDecoratedOperator = _venv_decorated(BranchExternalPythonOperator,
                                                         "@task.branch_external_python")
_BranchExternalPythonDecoratedOperator.__name__ = "_BranchExternalPythonDecoratedOperator"
for _cls in (_PythonVirtualenvDecoratedOperator, _PythonExternalDecoratedOperator,
             _BranchPythonVirtualenvDecoratedOperator, _BranchExternalPythonDecoratedOperator):
    _cls.__qualname__ = _cls.__name__


class TaskDecorator:
    """A @task-decorated function: call it, override() it, partial() / expand() it."""

    def __init__(self, function, operator_class, multiple_outputs, kwargs, decorator_name, origin=None):
        names = parameter_names(function)
        if names and names[0] == "self":
            raise TypeError(f"@{decorator_name} does not support methods")
        self.function = function
        self.operator_class = operator_class
        self.multiple_outputs = _infer_multiple_outputs(function) if multiple_outputs is None else multiple_outputs
        self.kwargs = dict(kwargs)
        self.kwargs.setdefault("task_id", function.__name__)
        self.decorator_name = decorator_name
        # The decorator as first written; overrides and partials report use through it.
        self.origin = origin or self
        self.called = False
        self.__name__ = getattr(function, "__name__", "task")
        self.__qualname__ = getattr(function, "__qualname__", self.__name__)
        self.__doc__ = function.__doc__
        self.__module__ = getattr(function, "__module__", None)
        self.__wrapped__ = function

    def _derive(self, kwargs, multiple_outputs=None):
        return TaskDecorator(self.function, self.operator_class,
                             self.multiple_outputs if multiple_outputs is None else multiple_outputs,
                             kwargs, self.decorator_name, origin=self.origin)

    def _set_doc(self, operator):
        if self.function.__doc__ and not any((operator.doc, operator.doc_md, operator.doc_json,
                                              operator.doc_yaml, operator.doc_rst)):
            operator.doc_md = self.function.__doc__

    def __call__(self, *args, **kwargs):
        self.origin.called = True
        operator = self.operator_class(python_callable=self.function, op_args=args, op_kwargs=kwargs,
                                       multiple_outputs=self.multiple_outputs, **self.kwargs)
        self._set_doc(operator)
        return XComArg(operator)

    def override(self, **kwargs):
        multiple_outputs = kwargs.pop("multiple_outputs", None)
        return self._derive({**self.kwargs, **kwargs}, multiple_outputs)

    def _validate_arg_names(self, method, kwargs):
        context_keys = sorted(KNOWN_CONTEXT_KEYS.intersection(kwargs))
        if len(context_keys) == 1:
            raise ValueError(f"cannot call {method}() on task context variable {context_keys[0]!r}")
        if context_keys:
            names = ", ".join(repr(name) for name in context_keys)
            raise ValueError(f"cannot call {method}() on task context variables {names}")
        if _accepts_any_keyword(self.function):
            return
        unknown = [name for name in kwargs if name not in parameter_names(self.function)]
        if len(unknown) == 1:
            raise TypeError(f"{method}() got an unexpected keyword argument {unknown[0]!r}")
        if unknown:
            raise TypeError(f"{method}() got unexpected keyword arguments {', '.join(repr(n) for n in unknown)}")

    def partial(self, **kwargs):
        self._validate_arg_names("partial", kwargs)
        previous = self.kwargs.get("op_kwargs", {})
        for name in kwargs:
            if name in previous:
                raise TypeError(f"duplicate partial argument: {name}")
        return self._derive({**self.kwargs, "op_kwargs": {**kwargs, **previous}})

    def expand(self, **map_kwargs):
        self.origin.called = True
        if not map_kwargs:
            raise TypeError("no arguments to expand against")
        self._validate_arg_names("expand", map_kwargs)
        for name in map_kwargs:
            if name in self.kwargs.get("op_kwargs", {}):
                raise TypeError(f"mapping already partial argument: {name}")
        return self._expand("expand", map_kwargs)

    def expand_kwargs(self, kwargs, strict=True):
        self.origin.called = True
        check_expand_kwargs(kwargs)
        return self._expand("expand_kwargs", kwargs)

    def _expand(self, kind, value):
        task_kwargs = dict(self.kwargs)
        dag = task_kwargs.get("dag") or contexts.current_dag()
        group = task_kwargs.get("task_group") or contexts.current_group(dag)
        task_kwargs["task_id"] = get_unique_task_id(task_kwargs["task_id"], dag, group)
        partial_op_kwargs = task_kwargs.pop("op_kwargs", {})
        specific, base = split_partial_kwargs(task_kwargs)
        specific.update(python_callable=self.function, op_args=(), op_kwargs=partial_op_kwargs)
        base["multiple_outputs"] = self.multiple_outputs
        operator = MappedOperator(operator_class=self.operator_class, partial_kwargs=specific,
                                  expand_kind=kind, expand_value=value, expand_target="op_kwargs", **base)
        self._set_doc(operator)
        return XComArg(operator)


def _decorator(operator_class, decorator_name, python_callable, multiple_outputs, kwargs):
    def wrap(function):
        decorator = TaskDecorator(function, operator_class, multiple_outputs, kwargs, decorator_name)
        dag = contexts.current_dag()
        if dag is not None:
            dag.decorated_tasks.append(decorator)
        return decorator

    return wrap(python_callable) if python_callable is not None else wrap


class TaskDecoratorCollection:
    """`task`: @task, @task.python, @task.bash, @task.branch, @task.short_circuit and @task.sensor."""

    def __call__(self, python_callable=None, multiple_outputs=None, **kwargs):
        return _decorator(_PythonDecoratedOperator, "task", python_callable, multiple_outputs, kwargs)

    def python(self, python_callable=None, multiple_outputs=None, **kwargs):
        return _decorator(_PythonDecoratedOperator, "task", python_callable, multiple_outputs, kwargs)

    def bash(self, python_callable=None, **kwargs):
        return _decorator(_BashDecoratedOperator, "task.bash", python_callable, False, kwargs)

    def branch(self, python_callable=None, multiple_outputs=None, **kwargs):
        return _decorator(_BranchPythonDecoratedOperator, "task.branch", python_callable, multiple_outputs,
                          kwargs)

    def short_circuit(self, python_callable=None, multiple_outputs=None, **kwargs):
        return _decorator(_ShortCircuitDecoratedOperator, "task.short_circuit", python_callable,
                          multiple_outputs, kwargs)

    def sensor(self, python_callable=None, **kwargs):
        return _decorator(_DecoratedSensorOperator, "task.sensor", python_callable, False, kwargs)

    def virtualenv(self, python_callable=None, multiple_outputs=None, **kwargs):
        return _decorator(_PythonVirtualenvDecoratedOperator, "task.virtualenv", python_callable, multiple_outputs,
                          kwargs)

    def external_python(self, python=None, python_callable=None, multiple_outputs=None, **kwargs):
        if callable(python) and python_callable is None:
            raise TypeError("@task.external_python needs the interpreter: @task.external_python(python=...)")
        return _decorator(_PythonExternalDecoratedOperator, "task.external_python", python_callable,
                          multiple_outputs, {"python": python, **kwargs})

    def branch_virtualenv(self, python_callable=None, multiple_outputs=None, **kwargs):
        return _decorator(_BranchPythonVirtualenvDecoratedOperator, "task.branch_virtualenv", python_callable,
                          multiple_outputs, kwargs)

    def branch_external_python(self, python=None, python_callable=None, multiple_outputs=None, **kwargs):
        return _decorator(_BranchExternalPythonDecoratedOperator, "task.branch_external_python", python_callable,
                          multiple_outputs, {"python": python, **kwargs})

    def run_if(self, condition, skip_message=None):
        """Skip the task (AirflowSkipException) unless condition(context) is true."""
        return _condition_decorator(condition, skip_message, skip_when=False)

    def skip_if(self, condition, skip_message=None):
        """Skip the task (AirflowSkipException) when condition(context) is true."""
        return _condition_decorator(condition, skip_message, skip_when=True)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise unsupported(f"@task.{name}")


task = TaskDecoratorCollection()


def _condition_decorator(condition, skip_message, skip_when):
    def pre_execute(context):
        if bool(condition(context)) == skip_when:
            raise AirflowSkipException(skip_message or "Task was skipped based on the condition.")

    def decorate(target):
        if isinstance(target, TaskDecorator):
            previous = target.kwargs.get("pre_execute")
            return target.override(pre_execute=_combine_hooks(previous, pre_execute))
        if isinstance(target, BaseOperator):
            target._pre_execute_hook = _combine_hooks(target._pre_execute_hook, pre_execute)
            return target
        raise TypeError(f"run_if/skip_if can only be used with task. decorated function or operator, "
                        f"not {type(target).__name__}")

    return decorate


def _combine_hooks(first, second):
    if first is None:
        return second

    def combined(context):
        first(context)
        second(context)

    return combined


def _as_task(function, name):
    if isinstance(function, TaskDecorator):
        return function
    from leoflow.taskgroup import TaskGroupFactory
    if isinstance(function, TaskGroupFactory):
        raise AirflowException("Task groups cannot be marked as setup or teardown.")
    if not callable(function):
        raise TypeError(f"@{name} decorates a function or a @task, not {type(function).__name__}")
    return task(function)


def setup(function):
    """@setup: the task (a function or a @task) is a setup task."""
    features.require("setup_teardown", "setup tasks (@setup)")
    decorated = _as_task(function, "setup")
    return decorated.override(is_setup=True)


def teardown(_function=None, *, on_failure_fail_dagrun=False):
    """@teardown / @teardown(on_failure_fail_dagrun=True): the task is a teardown task."""
    features.require("setup_teardown", "teardown tasks (@teardown)")

    def decorate(function):
        decorated = _as_task(function, "teardown")
        return decorated.override(is_teardown=True, on_failure_fail_dagrun=on_failure_fail_dagrun)

    return decorate(_function) if _function is not None else decorate
