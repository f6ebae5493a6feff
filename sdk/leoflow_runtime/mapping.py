"""Dynamic task mapping at run time: the arguments of one map index. expand() maps over the cross
product in argument order (last argument fastest), as Airflow's DictOfListsExpandInput;
expand_kwargs() takes the map_index-th dict of its source."""
from leoflow.errors import AirflowException
from leoflow.xcom_arg import XComArg


def _mappable(name, value, resolve):
    value = resolve(value) if isinstance(value, XComArg) else value
    if not isinstance(value, (list, tuple, dict)):
        raise AirflowException(f"unmappable return type {type(value).__name__!r} for mapped argument {name!r}")
    return value


def _element(value, index):
    if isinstance(value, dict):
        return tuple(list(value.items())[index])
    return value[index]


def mapped_arguments(task, map_index, resolve):
    """The mapped arguments of `task` at `map_index`; `resolve` turns XComArgs into values."""
    if task.expand_kind == "expand":
        values = {name: _mappable(name, value, resolve) for name, value in task.expand_value.items()}
        total = 1
        for value in values.values():
            total *= len(value)
        if not 0 <= map_index < total:
            raise AirflowException(f"map_index {map_index} is out of range: {task.task_id} expands to {total}")
        arguments = {}
        remaining = map_index
        for name in reversed(list(values)):
            length = len(values[name])
            arguments[name] = _element(values[name], remaining % length)
            remaining //= length
        return {name: arguments[name] for name in values}
    source = _mappable("expand_kwargs", task.expand_value, resolve)
    if not 0 <= map_index < len(source):
        raise AirflowException(f"map_index {map_index} is out of range: {task.task_id} expands to {len(source)}")
    element = source[map_index]
    if isinstance(element, XComArg):
        element = resolve(element)
    if not isinstance(element, dict):
        raise AirflowException(f"expand_kwargs() expects a list[dict], not list[{type(element).__name__}]")
    return {key: resolve(value) if isinstance(value, XComArg) else value for key, value in element.items()}
