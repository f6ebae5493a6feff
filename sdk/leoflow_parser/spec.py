"""Builds the DAG spec (docs/contracts.md) from the DAG objects a file defined."""
import os
from datetime import date, datetime, timedelta

from leoflow.assets import Asset, AssetAlias, BaseAsset
from leoflow.branch_operators import BranchDateTimeOperator, BranchDayOfWeekOperator, LatestOnlyOperator
from leoflow.dag import DagParam
from leoflow.decorators import (DecoratedOperator, _BashDecoratedOperator, _BranchExternalPythonDecoratedOperator,
                                _BranchPythonDecoratedOperator, _BranchPythonVirtualenvDecoratedOperator,
                                _DecoratedSensorOperator, _PythonDecoratedOperator, _PythonExternalDecoratedOperator,
                                _PythonVirtualenvDecoratedOperator, _ShortCircuitDecoratedOperator, parameter_names)
from leoflow.errors import AirflowDagCycleException
from leoflow.operators import (BashOperator, BranchPythonOperator, EmptyOperator, PythonOperator,
                               ShortCircuitOperator)
from leoflow.params import NOTSET, Param
from leoflow.sensors import (BaseSensorOperator, BashSensor, DateTimeSensor, FileSensor, PythonSensor,
                             TimeDeltaSensor)
from leoflow.taskgroup import MappedArgument, mapped_group_of
from leoflow.timetables import Timetable
from leoflow.timeutil import rfc3339, seconds, timedelta_json
from leoflow.trigger_dagrun import TriggerDagRunOperator
from leoflow.venv_operators import (BranchExternalPythonOperator, BranchPythonVirtualenvOperator,
                                    ExternalPythonOperator, PythonVirtualenvOperator)
from leoflow.xcom_arg import ConcatXComArg, MapXComArg, XComArg, ZipXComArg

SPEC_VERSION = 1

# Where Airflow keeps the classes Leoflow provides (what its API shows as class_ref.module_path).
AIRFLOW_MODULES = {
    BashOperator: "airflow.providers.standard.operators.bash",
    EmptyOperator: "airflow.providers.standard.operators.empty",
    PythonOperator: "airflow.providers.standard.operators.python",
    BranchPythonOperator: "airflow.providers.standard.operators.python",
    ShortCircuitOperator: "airflow.providers.standard.operators.python",
    _PythonDecoratedOperator: "airflow.providers.standard.decorators.python",
    _BranchPythonDecoratedOperator: "airflow.providers.standard.decorators.branch_python",
    _ShortCircuitDecoratedOperator: "airflow.providers.standard.decorators.short_circuit",
    _BashDecoratedOperator: "airflow.providers.standard.decorators.bash",
    _DecoratedSensorOperator: "airflow.providers.standard.decorators.sensor",
    BaseSensorOperator: "airflow.sdk.bases.sensor",
    PythonSensor: "airflow.providers.standard.sensors.python",
    BashSensor: "airflow.providers.standard.sensors.bash",
    FileSensor: "airflow.providers.standard.sensors.filesystem",
    TimeDeltaSensor: "airflow.providers.standard.sensors.time_delta",
    DateTimeSensor: "airflow.providers.standard.sensors.date_time",
    BranchDayOfWeekOperator: "airflow.providers.standard.operators.weekday",
    BranchDateTimeOperator: "airflow.providers.standard.operators.datetime",
    LatestOnlyOperator: "airflow.providers.standard.operators.latest_only",
    TriggerDagRunOperator: "airflow.providers.standard.operators.trigger_dagrun",
    PythonVirtualenvOperator: "airflow.providers.standard.operators.python",
    ExternalPythonOperator: "airflow.providers.standard.operators.python",
    BranchPythonVirtualenvOperator: "airflow.providers.standard.operators.python",
    BranchExternalPythonOperator: "airflow.providers.standard.operators.python",
    _PythonVirtualenvDecoratedOperator: "airflow.providers.standard.decorators.python_virtualenv",
    _PythonExternalDecoratedOperator: "airflow.providers.standard.decorators.external_python",
    _BranchPythonVirtualenvDecoratedOperator: "airflow.providers.standard.decorators.branch_virtualenv",
    _BranchExternalPythonDecoratedOperator: "airflow.providers.standard.decorators.branch_external_python",
}


def cleandoc(text):
    """Docs dedented as inspect.cleandoc does (first line stripped, common indent removed)."""
    if text is None:
        return None
    lines = text.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents) if indents else 0
    lines = [lines[0].lstrip()] + [line[margin:].rstrip() if not line.strip() else line[margin:]
                                   for line in lines[1:]]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _callable_ref(function):
    qualname = getattr(function, "__qualname__", type(function).__qualname__)
    return f"{getattr(function, '__module__', None)}:{qualname}"


def xcom_ref(value):
    """An XComArg as the spec writes it: a plain XCom, or map / zip / concat over others."""
    if isinstance(value, MapXComArg):
        return {"map": {"source": xcom_ref(value.arg), "callables": [_callable_ref(f) for f in value.callables]}}
    if isinstance(value, ZipXComArg):
        body = {"args": [xcom_ref(arg) for arg in value.args]}
        if value.fillvalue is not NOTSET:
            body["fillvalue"] = json_safe(value.fillvalue)
        return {"zip": body}
    if isinstance(value, ConcatXComArg):
        return {"concat": [xcom_ref(arg) for arg in value.args]}
    return {"xcom": {"task_id": value.operator.task_id, "key": value.key}}


def json_safe(value):
    """`value` in a JSON-encodable, deterministic form."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return getattr(value, "value", value) if isinstance(value, str) and type(value) is not str else value
    if isinstance(value, XComArg):
        return xcom_ref(value)
    if isinstance(value, DagParam):
        return {"param": value._name}
    if isinstance(value, MappedArgument):
        return {"group_arg": {"group_id": value.group.group_id, "name": value.name}}
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return timedelta_json(value)
    if isinstance(value, Param):
        return json_safe(value.serialize())
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((json_safe(item) for item in value), key=repr)
    if callable(value) and hasattr(value, "__qualname__"):
        return value.__qualname__
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def ref(value):
    """A task argument as the spec shows it: an XCom reference, a DAG param or a literal."""
    if isinstance(value, XComArg):
        return xcom_ref(value)
    if isinstance(value, DagParam):
        return {"param": value._name}
    if isinstance(value, MappedArgument):
        return {"group_arg": {"group_id": value.group.group_id, "name": value.name}}
    return {"literal": json_safe(value)}


def schedule_json(schedule):
    if isinstance(schedule, timedelta):
        return {"timedelta": seconds(schedule)}
    if isinstance(schedule, BaseAsset):
        return {"assets": schedule.spec()}
    if isinstance(schedule, Timetable):
        return {"timetable": schedule.spec()}
    if schedule == "@quarterly":
        return "0 0 1 */3 *"
    if schedule == "@annually":
        return "@yearly"
    return schedule


def _operator_class(task):
    return task.operator_class if task.is_mapped else type(task)


def _task_value(task, name):
    """An operator-specific argument, from the task or (mapped tasks) its partial arguments."""
    if task.is_mapped:
        return task.partial_kwargs.get(name)
    return getattr(task, name, None)


def _arguments(task):
    klass = _operator_class(task)
    if not issubclass(klass, (PythonOperator, PythonSensor, DecoratedOperator)):
        return {}
    function = _task_value(task, "python_callable")
    names = parameter_names(function) if function is not None else ()
    arguments = {}
    for index, value in enumerate(_task_value(task, "op_args") or ()):
        arguments[names[index] if index < len(names) else f"args[{index}]"] = ref(value)
    for name, value in (_task_value(task, "op_kwargs") or {}).items():
        arguments[name] = ref(value)
    return arguments


def _expansion(node):
    if node.expand_kind == "expand":
        return {"kind": "expand", "args": {name: ref(value) for name, value in node.expand_value.items()}}
    return {"kind": "expand_kwargs", "source": ref(node.expand_value)}


def _mapping(task):
    if task.is_mapped:
        return _expansion(task)
    group = mapped_group_of(task)
    if group is not None:
        return {"kind": "group", "group_id": group.group_id}
    return None


def _callable_name(task):
    function = _task_value(task, "python_callable")
    if function is None or not callable(function):
        return None
    return _callable_ref(function)


def _sensor(task):
    """What the engine needs of a sensor (reschedule mode: when to run the next try, when to give up)."""
    if not issubclass(_operator_class(task), BaseSensorOperator):
        return None
    return {"mode": _task_value(task, "mode") or "poke", "poke_interval": _task_value(task, "poke_interval"),
            "timeout": _task_value(task, "timeout"), "soft_fail": bool(_task_value(task, "soft_fail")),
            "exponential_backoff": bool(_task_value(task, "exponential_backoff")),
            "max_wait": _task_value(task, "max_wait")}


def _assets(items):
    """The assets among a task's inlets/outlets (other objects there have no meaning for Lite)."""
    return [item.spec() for item in items if isinstance(item, (Asset, AssetAlias))]


def _callbacks(value):
    if not value:
        return []
    return [_callable_ref(callback) for callback in (value if isinstance(value, (list, tuple)) else [value])]


def task_spec(task):
    klass = _operator_class(task)
    bash_command = _task_value(task, "bash_command") if issubclass(klass, (BashOperator, BashSensor)) else None
    group = task.task_group
    spec = {
        "task_id": task.task_id,
        "operator": klass.__name__,
        "operator_name": task.operator_name,
        "operator_module": AIRFLOW_MODULES.get(klass, klass.__module__),
        "type": task.leoflow_kind,
        "upstream": sorted(task.upstream_task_ids),
        "trigger_rule": task.trigger_rule,
        "retries": task.retries,
        "retry_delay": seconds(task.retry_delay),
        "retry_exponential_backoff": task.retry_exponential_backoff,
        "max_retry_delay": seconds(task.max_retry_delay),
        "execution_timeout": seconds(task.execution_timeout),
        "owner": task.owner,
        "queue": task.queue,
        "pool": task.pool,
        "pool_slots": task.pool_slots,
        "priority_weight": task.priority_weight,
        "weight_rule": task.weight_rule,
        "depends_on_past": task.depends_on_past,
        "wait_for_downstream": task.wait_for_downstream,
        "start_date": rfc3339(task.start_date),
        "end_date": rfc3339(task.end_date),
        "doc_md": cleandoc(task.doc_md),
        "ui_color": task.ui_color,
        "ui_fgcolor": task.ui_fgcolor,
        "template_fields": list(task.template_fields),
        "task_group": None if group is None or group.is_root else group.group_id,
        "callable": _callable_name(task),
        "bash_command": bash_command if isinstance(bash_command, str) else None,
        "arguments": _arguments(task),
        "mapping": _mapping(task),
        "do_xcom_push": task.do_xcom_push,
        "multiple_outputs": task.multiple_outputs,
        "line": task.line,
        "sensor": _sensor(task),
        "inlets": _assets(task.inlets),
        "outlets": _assets(task.outlets),
        "is_setup": task.is_setup,
        "is_teardown": task.is_teardown,
        "on_failure_fail_dagrun": task.on_failure_fail_dagrun,
        "map_index_template": task.map_index_template,
        "max_active_tis_per_dag": task.max_active_tis_per_dag,
        "max_active_tis_per_dagrun": task.max_active_tis_per_dagrun,
    }
    # Only when set, so the specs (and version hashes) of other tasks stay as they were.
    executor_config = _task_value(task, "executor_config")
    if executor_config:
        spec["executor_config"] = json_safe(executor_config)
    return spec


def check_acyclic(dag):
    """Raise Airflow's error when the dependencies form a cycle."""
    state = {}
    for start in dag.task_dict:
        if start in state:
            continue
        stack = [(start, iter(sorted(dag.task_dict[start].downstream_task_ids)))]
        state[start] = "visiting"
        while stack:
            task_id, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[task_id] = "done"
                stack.pop()
            elif state.get(child) == "visiting":
                raise AirflowDagCycleException(f"Cycle detected in DAG: {dag.dag_id}. Faulty task: {child}")
            elif child not in state:
                state[child] = "visiting"
                stack.append((child, iter(sorted(dag.task_dict[child].downstream_task_ids))))


def _warnings(dag):
    warnings = []
    for decorator in dag.decorated_tasks:
        if not decorator.called:
            code = getattr(decorator.function, "__code__", None)
            where = f"{os.path.basename(code.co_filename)}:{code.co_firstlineno}" if code is not None else "?"
            warnings.append({
                "type": "unused_task",
                "message": f"task '{decorator.kwargs['task_id']}' is defined but never called ({where})",
            })
    return warnings


def dag_spec(dag):
    check_acyclic(dag)
    return {
        "dag_id": dag.dag_id,
        "dag_display_name": dag.dag_display_name,
        "fileloc": os.path.abspath(dag.fileloc) if dag.fileloc else "",
        "description": dag.description,
        "doc_md": cleandoc(dag.doc_md),
        "schedule": schedule_json(dag.schedule),
        "timetable_summary": dag.timetable_summary,
        "start_date": rfc3339(dag.start_date),
        "end_date": rfc3339(dag.end_date),
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "max_active_tasks": dag.max_active_tasks,
        "max_consecutive_failed_dag_runs": dag.max_consecutive_failed_dag_runs,
        "dagrun_timeout": seconds(dag.dagrun_timeout),
        "tags": sorted(dag.tags),
        "owner": dag.default_args.get("owner") or "airflow",
        "params": json_safe(dag.params.serialize()),
        "default_args": json_safe(dag.default_args),
        "render_template_as_native_obj": dag.render_template_as_native_obj,
        "is_paused_upon_creation": dag.is_paused_upon_creation,
        "task_groups": [
            {"group_id": group.group_id,
             "parent": None if group.parent_group is None or group.parent_group.is_root
             else group.parent_group.group_id,
             "tooltip": group.tooltip, "prefix_group_id": group.prefix_group_id,
             "mapping": _expansion(group) if getattr(group, "is_mapped", False) else None}
            for group in dag.task_group_dict.values()
        ],
        "callbacks": {"on_success_callback": _callbacks(dag.on_success_callback),
                      "on_failure_callback": _callbacks(dag.on_failure_callback)},
        "tasks": [task_spec(task) for task in dag.task_dict.values()],
        "warnings": _warnings(dag),
    }


def file_spec(path, dags):
    return {"spec_version": SPEC_VERSION, "fileloc": path, "dags": [dag_spec(dag) for dag in dags]}
