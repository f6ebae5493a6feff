"""Constructs that need the engine: refused (the usual "not supported" error) until the engine names
their feature in LEOFLOW_FEATURES; with it, the spec carries what docs/contracts.md says and the
runtime does its part (real parser and runtime processes throughout)."""
from datetime import datetime, timedelta, timezone

import pytest

from conftest import run_parser, run_task, tasks_of, write_dag

ALL = ("setup_teardown,assets,xcomarg_transforms,mapped_task_groups,map_index_template,timetables,"
       "task_concurrency,dag_callbacks,sensor_reschedule,trigger_dagrun")
ON = {"LEOFLOW_FEATURES": ALL}

REFUSED = [
    ("setup_teardown", "from airflow.sdk import setup\n@setup\ndef make():\n    pass\n", "setup tasks (@setup)", 2),
    ("setup_teardown", "from airflow.sdk import teardown\n@teardown\ndef drop():\n    pass\n",
     "teardown tasks (@teardown)", 2),
    ("setup_teardown", "from airflow.sdk import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
     "with DAG('d'):\n    EmptyOperator(task_id='t').as_teardown()\n", "teardown tasks", 4),
    ("assets", "from airflow.sdk import Asset\nAsset('orders')\n", "Assets", 2),
    ("assets", "from airflow.datasets import Dataset\nDataset('s3://b/k')\n", "Datasets", 2),
    ("xcomarg_transforms", "from airflow.sdk import DAG, task\nwith DAG('d'):\n    @task\n    def n():\n"
     "        return [1]\n    n().zip(n())\n", "XComArg.zip()", 6),
    ("mapped_task_groups", "from airflow.sdk import DAG, task_group\nwith DAG('d'):\n    @task_group\n"
     "    def g(x):\n        pass\n    g.partial(x=1)\n", "mapped task groups (@task_group.partial)", 6),
    ("map_index_template", "from airflow.sdk import DAG, task\nwith DAG('d'):\n"
     "    @task(map_index_template='{{ x }}')\n    def f(x):\n        pass\n    f.expand(x=[1])\n",
     "map_index_template='{{ x }}'", 6),
    ("timetables", "from airflow.timetables.trigger import CronTriggerTimetable\n"
     "CronTriggerTimetable('@daily', timezone='UTC')\n", "custom timetables", 2),
    ("task_concurrency", "from airflow.sdk import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
     "with DAG('d'):\n    EmptyOperator(task_id='t', max_active_tis_per_dag=2)\n", "max_active_tis_per_dag=2", 4),
    ("dag_callbacks", "from airflow.sdk import DAG\nDAG('d', on_success_callback=print)\n",
     "DAG on_success_callback", 2),
    ("sensor_reschedule", "from airflow.sdk import DAG\nfrom airflow.sensors.python import PythonSensor\n"
     "with DAG('d'):\n    PythonSensor(task_id='s', python_callable=bool, mode='reschedule')\n",
     "sensors in mode='reschedule'", 4),
    ("trigger_dagrun", "from airflow.sdk import DAG\n"
     "from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator\n"
     "with DAG('d'):\n    TriggerDagRunOperator(task_id='t', trigger_dag_id='other')\n", "TriggerDagRunOperator", 4),
]


@pytest.mark.parametrize("feature,source,what,line", REFUSED, ids=[f"{c[0]}-{c[2]}" for c in REFUSED])
def test_refused_until_the_engine_enables_it(tmp_path, feature, source, what, line):
    path = write_dag(tmp_path, source)
    code, _, stdout, stderr = run_parser(path)
    assert code == 1 and stdout == ""
    assert stderr.rstrip().endswith(f"feature {what} is not supported by Leoflow Lite (dag.py:{line})"), stderr
    others = ",".join(name for name in ALL.split(",") if name != feature)
    code, _, _, stderr = run_parser(path, env={"LEOFLOW_FEATURES": others})
    assert code == 1, "another feature's switch does not enable it"
    code, _, _, stderr = run_parser(path, env={"LEOFLOW_FEATURES": feature})
    assert code == 0, stderr


def parse_on(path):
    code, spec, _, stderr = run_parser(path, env=ON)
    assert code == 0, stderr
    return spec


def run_on(path, dag_id, task_id, tmp_path, **context):
    code, result, out, err = run_task(path, dag_id, task_id, tmp_path, env=ON, **context)
    assert result is not None, err
    return result, out, err


def values(result):
    return {x["key"]: x["value"] for x in result["xcoms"]}


def test_setup_and_teardown_in_the_spec(tmp_path):
    spec = parse_on(write_dag(tmp_path, """
        from airflow.sdk import DAG, setup, task, teardown
        from airflow.providers.standard.operators.empty import EmptyOperator
        with DAG("st"):
            @setup
            def create():
                return "cluster"

            @teardown(on_failure_fail_dagrun=True)
            def delete(name):
                pass

            @task
            def work(name):
                return name

            c = create()
            work(c) >> delete(c)
            made = EmptyOperator(task_id="made")
            EmptyOperator(task_id="dropped").as_teardown(setups=made)
        """))
    tasks = tasks_of(spec)
    assert (tasks["create"]["is_setup"], tasks["create"]["is_teardown"]) == (True, False)
    assert (tasks["delete"]["is_teardown"], tasks["delete"]["on_failure_fail_dagrun"]) == (True, True)
    assert tasks["delete"]["trigger_rule"] == "all_done_setup_success"
    assert tasks["delete"]["upstream"] == ["create", "work"]
    assert tasks["made"]["is_setup"] and tasks["dropped"]["is_teardown"]
    assert tasks["dropped"]["upstream"] == ["made"] and tasks["dropped"]["trigger_rule"] == "all_done_setup_success"
    assert not tasks["work"]["is_setup"] and not tasks["work"]["is_teardown"]


ASSET_DAGS = """
    from airflow.sdk import DAG, Asset, AssetAlias, task
    orders = Asset("orders", uri="s3://shop/orders", extra={"team": "sales"})
    stock = Asset("stock")
    alias = AssetAlias("daily-exports")
    with DAG("producer"):
        @task(outlets=[orders, alias])
        def write(*, outlet_events):
            outlet_events[orders].extra = {"rows": 3}
            outlet_events[alias].add(Asset("exports/2026-11-28"), extra={"format": "csv"})
        write()
    with DAG("consumer", schedule=(orders & stock) | alias):
        @task(inlets=[orders])
        def read(*, triggering_asset_events):
            return [event.extra for event in triggering_asset_events[orders]]
        read()
    with DAG("list_schedule", schedule=[orders, stock]):
        pass
"""


def test_assets_in_the_spec(tmp_path):
    dags = {dag["dag_id"]: dag for dag in parse_on(write_dag(tmp_path, ASSET_DAGS))["dags"]}
    orders = {"asset": {"name": "orders", "uri": "s3://shop/orders", "group": "asset", "extra": {"team": "sales"}}}
    stock = {"asset": {"name": "stock", "uri": "stock", "group": "asset", "extra": {}}}
    alias = {"alias": {"name": "daily-exports", "group": "asset"}}
    assert dags["consumer"]["schedule"] == {"assets": {"any": [{"all": [orders, stock]}, alias]}}
    assert dags["consumer"]["timetable_summary"] == "Asset"
    assert dags["list_schedule"]["schedule"] == {"assets": {"all": [orders, stock]}}
    assert dags["producer"]["tasks"][0]["outlets"] == [orders, alias]
    assert dags["consumer"]["tasks"][0]["inlets"] == [orders]


def test_asset_events_at_run_time(tmp_path):
    path = write_dag(tmp_path, ASSET_DAGS)
    result, out, err = run_on(path, "producer", "write", tmp_path)
    assert result["state"] == "success", err
    assert result["asset_events"] == [
        {"asset": {"name": "orders", "uri": "s3://shop/orders", "group": "asset", "extra": {"team": "sales"}},
         "extra": {"rows": 3}},
        {"asset": {"name": "exports/2026-11-28", "uri": "exports/2026-11-28", "group": "asset", "extra": {}},
         "extra": {"format": "csv"}, "alias": "daily-exports"}]
    events = [{"asset": {"name": "orders", "uri": "s3://shop/orders"}, "extra": {"rows": 3},
               "source_dag_id": "producer", "source_task_id": "write", "source_run_id": "r",
               "timestamp": "2026-11-28T10:00:00Z"}]
    result, out, err = run_on(path, "consumer", "read", tmp_path, run_type="asset_triggered",
                              triggering_asset_events=events)
    assert values(result) == {"return_value": [{"rows": 3}]}, err


TRANSFORMS = """
    from airflow.sdk import DAG, task
    with DAG("xt"):
        @task
        def numbers():
            return [1, 2, 3]

        @task
        def letters():
            return ["a", "b"]

        @task
        def show(x):
            return x

        @task
        def collect(values):
            return values

        def double(n):
            return n * 2

        show.expand(x=numbers().map(double))
        pairs = numbers.override(task_id="n2")().zip(letters.override(task_id="l2")())
        show.expand(x=pairs)
        collect(numbers.override(task_id="n3")().concat(letters.override(task_id="l3")()))
        collect(numbers.override(task_id="n4")().zip(letters.override(task_id="l4")(), fillvalue="-"))
"""
TRANSFORM_XCOMS = [{"task_id": task_id, "map_index": -1, "key": "return_value", "value": value}
                   for task_id, value in (("numbers", [1, 2, 3]), ("n2", [1, 2, 3]), ("l2", ["a", "b"]),
                                          ("n3", [1, 2, 3]), ("l3", ["a", "b"]), ("n4", [1, 2, 3]),
                                          ("l4", ["a", "b"]))]


def test_xcomarg_map_zip_concat(tmp_path):
    path = write_dag(tmp_path, TRANSFORMS)
    tasks = tasks_of(parse_on(path))
    assert tasks["show"]["mapping"] == {"kind": "expand", "args": {"x": {"map": {
        "source": {"xcom": {"task_id": "numbers", "key": "return_value"}}, "callables": ["dag:double"]}}}}
    assert tasks["show__1"]["mapping"]["args"]["x"] == {"zip": {"args": [
        {"xcom": {"task_id": "n2", "key": "return_value"}}, {"xcom": {"task_id": "l2", "key": "return_value"}}]}}
    assert tasks["collect"]["arguments"]["values"] == {"concat": [
        {"xcom": {"task_id": "n3", "key": "return_value"}}, {"xcom": {"task_id": "l3", "key": "return_value"}}]}
    assert tasks["collect__1"]["arguments"]["values"]["zip"]["fillvalue"] == "-"
    assert tasks["show__1"]["upstream"] == ["l2", "n2"] and tasks["collect"]["upstream"] == ["l3", "n3"]
    for task_id, map_index, expected in (("show", 2, 6), ("show__1", 1, [2, "b"]), ("collect", -1, [1, 2, 3, "a", "b"]),
                                         ("collect__1", -1, [[1, "a"], [2, "b"], [3, "-"]])):
        result, out, err = run_on(path, "xt", task_id, tmp_path, map_index=map_index, xcoms=TRANSFORM_XCOMS)
        assert values(result) == {"return_value": expected}, (task_id, err)


MAPPED_GROUP = """
    from airflow.sdk import DAG, task, task_group
    with DAG("mg"):
        @task
        def sources():
            return [{"n": 1}, {"n": 5}]

        @task
        def add(x, y):
            return x + y

        @task
        def square(v):
            return v * v

        @task
        def total(values):
            return sum(values)

        @task_group
        def stage(x, y):
            return square(add(x, y))

        result = stage.partial(y=10).expand(x=[1, 2, 3])
        total(result)
"""


def test_mapped_task_group(tmp_path):
    path = write_dag(tmp_path, MAPPED_GROUP)
    spec = parse_on(path)
    tasks = tasks_of(spec)
    assert spec["dags"][0]["task_groups"] == [{
        "group_id": "stage", "parent": None, "tooltip": "", "prefix_group_id": True,
        "mapping": {"kind": "expand", "args": {"x": {"literal": [1, 2, 3]}}}}]
    assert tasks["stage.add"]["mapping"] == {"kind": "group", "group_id": "stage"}
    assert tasks["stage.add"]["arguments"] == {"x": {"group_arg": {"group_id": "stage", "name": "x"}},
                                               "y": {"literal": 10}}
    assert tasks["stage.square"]["mapping"] == {"kind": "group", "group_id": "stage"}
    assert tasks["total"]["upstream"] == ["stage.square"]
    result, out, err = run_on(path, "mg", "stage.add", tmp_path, map_index=2)
    assert values(result) == {"return_value": 13}, err
    xcoms = [{"task_id": "stage.add", "map_index": index, "key": "return_value", "value": value}
             for index, value in enumerate([11, 12, 13])]
    result, out, err = run_on(path, "mg", "stage.square", tmp_path, map_index=1, xcoms=xcoms)
    assert values(result) == {"return_value": 144}, "the same map index of a task in the group"
    xcoms += [{"task_id": "stage.square", "map_index": index, "key": "return_value", "value": value}
              for index, value in enumerate([121, 144, 169])]
    result, out, err = run_on(path, "mg", "total", tmp_path, xcoms=xcoms)
    assert values(result) == {"return_value": 434}, "outside the group: every map index"


def test_map_index_template_and_task_concurrency(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG, task
        with DAG("mit"):
            @task(map_index_template="{{ task.op_kwargs['x'] }}", max_active_tis_per_dag=2,
                  max_active_tis_per_dagrun=1)
            def f(x, map_index_template=None):
                return map_index_template

            @task(map_index_template="{{ label }}")
            def g(x):
                from airflow.sdk import get_current_context
                get_current_context()["label"] = f"item {x}"
            f.expand(x=["a", "b"])
            g.expand(x=[7])
        """)
    task = tasks_of(parse_on(path))["f"]
    assert (task["map_index_template"], task["max_active_tis_per_dag"], task["max_active_tis_per_dagrun"]) == (
        "{{ task.op_kwargs['x'] }}", 2, 1)
    result, out, err = run_on(path, "mit", "f", tmp_path, map_index=1)
    assert values(result) == {"return_value": "{{ task.op_kwargs['x'] }}"}, err
    assert result["rendered_map_index"] == "b"
    result, out, err = run_on(path, "mit", "g", tmp_path, map_index=0)
    assert result["rendered_map_index"] == "item 7", "rendered after execute, with what the task set"


def test_timetables_in_the_spec(tmp_path):
    spec = parse_on(write_dag(tmp_path, """
        from datetime import datetime, timedelta
        from airflow.sdk import DAG, CronTriggerTimetable, DeltaTriggerTimetable, EventsTimetable
        from airflow.timetables.trigger import MultipleCronTriggerTimetable
        cron = DAG("cron", schedule=CronTriggerTimetable("@daily", timezone="Europe/Paris", interval=timedelta(hours=1)))
        delta = DAG("delta", timetable=DeltaTriggerTimetable(timedelta(minutes=30)))
        multi = DAG("multi", schedule=MultipleCronTriggerTimetable("0 6 * * *", "30 18 * * 1-5", timezone="UTC"))
        events = DAG("events", schedule=EventsTimetable([datetime(2026, 12, 24, 18), datetime(2026, 12, 1)],
                                                        restrict_to_events=True))
        """))
    dags = {dag["dag_id"]: dag for dag in spec["dags"]}
    assert dags["cron"]["schedule"] == {"timetable": {"type": "CronTriggerTimetable", "cron": "0 0 * * *",
                                                      "timezone": "Europe/Paris", "interval": 3600,
                                                      "run_immediately": False}}
    assert dags["cron"]["timetable_summary"] == "0 0 * * *"
    assert dags["delta"]["schedule"] == {"timetable": {"type": "DeltaTriggerTimetable", "delta": 1800,
                                                       "interval": 0}}
    assert dags["delta"]["timetable_summary"] == "0:30:00"
    assert dags["multi"]["schedule"]["timetable"]["crons"] == ["0 6 * * *", "30 18 * * 1-5"]
    assert dags["multi"]["timetable_summary"] == "0 6 * * *, 30 18 * * 1-5"
    assert dags["events"]["schedule"] == {"timetable": {
        "type": "EventsTimetable", "event_dates": ["2026-12-01T00:00:00Z", "2026-12-24T18:00:00Z"],
        "restrict_to_events": True}}
    assert dags["events"]["timetable_summary"] == "2 events"


def test_latest_only_follows_a_timetable(tmp_path):
    path = write_dag(tmp_path, """
        from datetime import datetime
        from airflow.sdk import DAG, EventsTimetable
        from airflow.providers.standard.operators.empty import EmptyOperator
        from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
        with DAG("lo", schedule=EventsTimetable([datetime(2020, 1, 1), datetime(2020, 1, 2), datetime(2999, 1, 1)])):
            LatestOnlyOperator(task_id="latest") >> EmptyOperator(task_id="after")
        """)
    point = lambda when: {"logical_date": when, "data_interval_start": when, "data_interval_end": when}
    result, _, err = run_on(path, "lo", "latest", tmp_path, run_type="scheduled", **point("2020-01-01T00:00:00Z"))
    assert result["skip_task_ids"] == ["after"], err
    result, _, err = run_on(path, "lo", "latest", tmp_path, run_type="scheduled", **point("2020-01-02T00:00:00Z"))
    assert result["skip_task_ids"] == [], "now is before the next event"


def test_dag_callbacks(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.empty import EmptyOperator
        def tell(context):
            print("DAG CALLBACK", context["dag_run"].run_id, context["dag_run"].state, context["reason"],
                  context["ti"].task_id if "ti" in context else None, context["params"]["who"])
        def broken(context):
            raise RuntimeError("callback broke")
        with DAG("cbd", params={"who": "ops"}, on_success_callback=tell, on_failure_callback=[broken, tell]):
            EmptyOperator(task_id="t")
        """)
    dag = parse_on(path)["dags"][0]
    assert dag["callbacks"] == {"on_success_callback": ["dag:tell"], "on_failure_callback": ["dag:broken", "dag:tell"]}
    result, out, err = run_on(path, "cbd", None, tmp_path, dag_callback="on_success_callback", reason="success")
    assert result["state"] == "success" and "DAG CALLBACK manual__2026-11-28T10:00:00+00:00 success success None ops" in out
    result, out, err = run_on(path, "cbd", "t", tmp_path, dag_callback="on_failure_callback", reason="task_failure")
    assert result["state"] == "success", err
    assert "RuntimeError: callback broke" in out + err
    assert "DAG CALLBACK manual__2026-11-28T10:00:00+00:00 failed task_failure t ops" in out


def test_sensor_in_reschedule_mode(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG
        from airflow.sensors.python import PythonSensor
        with DAG("rs"):
            PythonSensor(task_id="wait", python_callable=lambda params: params.get("ready", False),
                         mode="reschedule", poke_interval=30, timeout=3600)
        """)
    assert tasks_of(parse_on(path))["wait"]["sensor"] == {
        "mode": "reschedule", "poke_interval": 30.0, "timeout": 3600.0, "soft_fail": False,
        "exponential_backoff": False, "max_wait": None}
    before = datetime.now(timezone.utc)
    now = before.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    result, out, err = run_on(path, "rs", "wait", tmp_path, run_start_date=now)
    assert result["state"] == "up_for_reschedule", err
    date = datetime.fromisoformat(result["reschedule_date"].replace("Z", "+00:00"))
    assert before + timedelta(seconds=29) <= date <= datetime.now(timezone.utc) + timedelta(seconds=31)
    long_ago = (before - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result, out, err = run_on(path, "rs", "wait", tmp_path, reschedule={"count": 40, "first_start": long_ago})
    assert result["state"] == "failed" and "AirflowSensorTimeout" in result["error"]
    result, out, err = run_on(path, "rs", "wait", tmp_path, conf={"ready": True})
    assert result["state"] == "success"


def test_trigger_dagrun_result(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
        with DAG("trig"):
            TriggerDagRunOperator(task_id="go", trigger_dag_id="target", conf={"day": "{{ ds }}"},
                                  trigger_run_id="from_{{ run_id }}", wait_for_completion=True, poke_interval=5)
            TriggerDagRunOperator(task_id="plain", trigger_dag_id="target")
        """)
    result, out, err = run_on(path, "trig", "go", tmp_path)
    assert result["state"] == "success", err
    assert result["trigger_dag_run"] == {
        "dag_id": "target", "run_id": "from_manual__2026-11-28T10:00:00+00:00", "conf": {"day": "2026-11-28"},
        "logical_date": None, "reset_dag_run": False, "skip_when_already_exists": False,
        "fail_when_dag_is_paused": False, "wait_for_completion": True, "poke_interval": 5,
        "allowed_states": ["success"], "failed_states": ["failed"]}
    assert values(result) == {"trigger_run_id": "from_manual__2026-11-28T10:00:00+00:00"}
    result, out, err = run_on(path, "trig", "plain", tmp_path)
    assert result["trigger_dag_run"]["run_id"].startswith("manual__")


def test_latest_only_proceeds_on_an_asset_triggered_run(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG, Asset
        from airflow.providers.standard.operators.empty import EmptyOperator
        from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
        with DAG("alo", schedule=[Asset("orders")]):
            LatestOnlyOperator(task_id="latest") >> EmptyOperator(task_id="after")
        """)
    result, out, err = run_on(path, "alo", "latest", tmp_path, run_type="asset_triggered")
    assert result["state"] == "success" and result["skip_task_ids"] == [], err
    assert "Last scheduled execution: allowing execution to proceed." in out
