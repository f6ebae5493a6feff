"""The Airflow context a task gets: keys, macros, `var` and `conn` accessors, params."""
from datetime import datetime, timedelta

from leoflow.assets import OutletEventAccessors
from leoflow.models import Connection, Variable
from leoflow.params import ParamsDict
from leoflow.timeutil import parse_datetime


def ds_add(ds, days):
    """`ds` (YYYY-MM-DD) shifted by `days` days."""
    if not days:
        return str(ds)
    return (datetime.strptime(str(ds), "%Y-%m-%d") + timedelta(days=days)).strftime("%Y-%m-%d")


def ds_format(ds, input_format, output_format):
    """`ds` reformatted from `input_format` to `output_format`."""
    return datetime.strptime(str(ds), input_format).strftime(output_format)


class Macros:
    """`macros` in templates, as Airflow's airflow.sdk.execution_time.macros module; its modules are
    imported when a template uses them (uuid and json cost more than the rest of a try)."""

    datetime = datetime
    timedelta = timedelta
    ds_add = staticmethod(ds_add)
    ds_format = staticmethod(ds_format)

    @property
    def json(self):
        import json
        return json

    @property
    def time(self):
        import time
        return time

    @property
    def uuid(self):
        import uuid
        return uuid

    @property
    def random(self):
        import random
        return random.random


class VariableAccessor:
    """`var.value.<key>` / `var.json.<key>` in templates."""

    def __init__(self, deserialize_json):
        self._deserialize_json = deserialize_json

    def __getattr__(self, key):
        if key.startswith("__"):
            raise AttributeError(key)
        return Variable.get(key, deserialize_json=self._deserialize_json)

    def get(self, key, default=None):
        return Variable.get(key, default_var=default, deserialize_json=self._deserialize_json)


class ConnectionAccessor:
    """`conn.<conn_id>` in templates."""

    def __getattr__(self, conn_id):
        if conn_id.startswith("__"):
            raise AttributeError(conn_id)
        return Connection.get(conn_id)

    def get(self, conn_id, default=None):
        try:
            return Connection.get(conn_id)
        except Exception:
            return default


class AssetEvent:
    """One event of `triggering_asset_events` (what the engine passes for an asset-triggered run)."""

    def __init__(self, fields):
        self.asset = fields.get("asset") or {}
        self.extra = fields.get("extra") or {}
        self.source_dag_id = fields.get("source_dag_id")
        self.source_task_id = fields.get("source_task_id")
        self.source_run_id = fields.get("source_run_id")
        self.source_map_index = fields.get("source_map_index", -1)
        self.timestamp = parse_datetime(fields["timestamp"]) if fields.get("timestamp") else None

    def __repr__(self):
        return f"AssetEvent(asset={self.asset.get('name')!r}, timestamp={self.timestamp})"


class TriggeringAssetEvents(dict):
    """`triggering_asset_events`: the events by asset name, also found by the Asset itself."""

    def __getitem__(self, key):
        name = getattr(key, "name", key)
        return super().__getitem__(name)

    def __contains__(self, key):
        return super().__contains__(getattr(key, "name", key))


def triggering_asset_events(events):
    found = TriggeringAssetEvents()
    for fields in events or []:
        event = AssetEvent(fields)
        dict.setdefault(found, event.asset.get("name"), []).append(event)
    return found


def process_params(dag, task, conf):
    """DAG params, then task params (no task: DAG callbacks), then the run's conf; validated into a plain dict."""
    params = ParamsDict()
    params.update(dag.params)
    if task is not None:
        params.update(task.params)
    if conf:
        params.update(conf)
    return params.validate()


def build_context(ti, dag_run, dag, task, params):
    context = {
        "dag": dag,
        "task": task,
        "ti": ti,
        "task_instance": ti,
        "run_id": dag_run.run_id,
        "dag_run": dag_run,
        "params": params,
        "macros": Macros(),
        "var": {"value": VariableAccessor(False), "json": VariableAccessor(True)},
        "conn": ConnectionAccessor(),
        "inlets": task.inlets,
        "outlets": task.outlets,
        "inlet_events": {},
        "outlet_events": OutletEventAccessors(),
        "triggering_asset_events": triggering_asset_events(ti.payload_asset_events),
        "map_index_template": task.map_index_template,
        "task_instance_key_str": f"{dag.dag_id}__{task.task_id}__{dag_run.run_id}",
        "task_reschedule_count": ti.reschedule_count,
        "try_number": ti.try_number,
        "start_date": ti.start_date,
        "expanded_ti_count": ti.upstream_map_indexes.get(task.task_id),
        "test_mode": False,
        "prev_start_date_success": None,
        "prev_end_date_success": None,
    }
    logical_date = dag_run.logical_date
    if logical_date is not None:
        ds = logical_date.strftime("%Y-%m-%d")
        ds_nodash = ds.replace("-", "")
        ts = logical_date.isoformat()
        context.update({
            "logical_date": logical_date,
            "ds": ds,
            "ds_nodash": ds_nodash,
            "task_instance_key_str": f"{dag.dag_id}__{task.task_id}__{ds_nodash}",
            "ts": ts,
            "ts_nodash": logical_date.strftime("%Y%m%dT%H%M%S"),
            "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
            "data_interval_start": dag_run.data_interval_start,
            "data_interval_end": dag_run.data_interval_end,
            "prev_data_interval_start_success": None,
            "prev_data_interval_end_success": None,
        })
    return context
