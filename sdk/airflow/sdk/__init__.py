"""`airflow.sdk`: Airflow 3's authoring interface, re-exported from leoflow."""
from leoflow.assets import Asset, AssetAlias, AssetAll, AssetAny
from leoflow.baseoperator import BaseOperator, chain, chain_linear, cross_downstream
from leoflow.context import get_current_context
from leoflow.dag import DAG, dag
from leoflow.decorators import setup, task, teardown
from leoflow.edges import EdgeModifier, Label
from leoflow.errors import refuse_missing_names
from leoflow.models import BaseHook, Connection, Variable
from leoflow.operators import BaseBranchOperator, SkipMixin
from leoflow.params import Param, ParamsDict
from leoflow.sensors import BaseSensorOperator, PokeReturnValue
from leoflow.taskgroup import TaskGroup, task_group
from leoflow.xcom_arg import XComArg

Context = dict
_missing = refuse_missing_names("airflow.sdk")


_TIMETABLES = ("CronTriggerTimetable", "DeltaTriggerTimetable", "EventsTimetable", "MultipleCronTriggerTimetable")


def __getattr__(name):
    # Loaded on first use: most DAG files need neither enum nor timetables.
    if name == "TriggerRule":
        from leoflow.trigger_rule import TriggerRule
        return TriggerRule
    if name in _TIMETABLES:
        import leoflow.timetables
        return getattr(leoflow.timetables, name)
    return _missing(name)


__all__ = ["Asset", "AssetAlias", "AssetAll", "AssetAny", "BaseBranchOperator", "BaseHook", "BaseOperator",
           "BaseSensorOperator", "Connection", "Context", "DAG", "EdgeModifier", "Label", "Param", "ParamsDict",
           "PokeReturnValue", "SkipMixin", "TaskGroup", "TriggerRule", "Variable", "XComArg", "chain", "chain_linear",
           "cross_downstream", "dag", "get_current_context", "setup", "task", "task_group", "teardown"]
