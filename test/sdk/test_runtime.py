"""Runtime: one task try through the real `python -m leoflow_runtime`, against one test DAG."""
import json

import pytest

from conftest import run_task, write_dag

DAG_SOURCE = '''
import os
from datetime import datetime
from airflow.sdk import DAG, Param, TaskGroup, Variable, BaseHook, get_current_context, task
from airflow.exceptions import AirflowFailException, AirflowSkipException
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator


def classic(ti, params, ds, **context):
    ti.xcom_push(key="extra", value=[ds, params["name"]])
    return context["templates_dict"]["when"]


with DAG("rt", params={"name": Param("world", type="string"), "count": Param(1, type="integer")},
         user_defined_macros={"shout": lambda s: s.upper()}):
    @task
    def extract():
        return {"a": 1}

    @task(multiple_outputs=True)
    def split():
        return {"left": 1, "right": [2]}

    @task
    def add(x, y=0):
        return x + y

    @task
    def context_keys(ti=None, dag_run=None, ds=None, ts=None, run_id=None, logical_date=None, params=None,
                     task=None, dag=None, ds_nodash=None, ts_nodash=None, data_interval_start=None, **rest):
        current = get_current_context()
        return {"try": ti.try_number, "map_index": ti.map_index, "conf": dag_run.conf, "run_id": run_id,
                "ds": ds, "ts": ts, "ds_nodash": ds_nodash, "ts_nodash": ts_nodash, "params": params,
                "task": task.task_id, "dag": dag.dag_id, "logical": logical_date.isoformat(),
                "interval": data_interval_start.isoformat(), "same": current["ti"] is ti,
                "run_id_in_rest": "run_id" in rest}

    @task
    def pulls(**context):
        ti = context["ti"]
        return {
            "single": ti.xcom_pull(task_ids="extract"),
            "key": ti.xcom_pull(task_ids="split", key="left"),
            "list": ti.xcom_pull(task_ids=["extract", "split"]),
            "mapped_all": ti.xcom_pull(task_ids="square"),
            "mapped_one": ti.xcom_pull(task_ids="square", map_indexes=1),
            "mapped_some": ti.xcom_pull(task_ids="square", map_indexes=[2, 0]),
            "missing": ti.xcom_pull(task_ids="nothing"),
            "missing_default": ti.xcom_pull(task_ids="nothing", map_indexes=-1, default="dflt"),
        }

    @task
    def square(x):
        return x * x

    @task
    def combine(x, y):
        return f"{x}-{y}"

    @task
    def total(values):
        return sum(values)

    @task
    def failing():
        raise ValueError("always fails")

    @task
    def hard_fail():
        raise AirflowFailException("no point retrying")

    @task
    def skipping():
        raise AirflowSkipException("nothing to do")

    @task
    def variables():
        Variable.set("written", "yes")
        Variable.set("as_json", {"k": 1}, serialize_json=True)
        return [Variable.get("given"), Variable.get("from_env"), Variable.get("written"),
                Variable.get("absent", default_var="fallback"), Variable.get("as_json", deserialize_json=True)]

    @task
    def missing_variable():
        return Variable.get("not_there")

    @task
    def connections():
        given = BaseHook.get_connection("given")
        uri = BaseHook.get_connection("from_uri")
        as_json = BaseHook.get_connection("from_json")
        return [given.host, given.login, given.port, uri.conn_type, uri.host, uri.login, uri.password, uri.port,
                uri.schema, uri.extra_dejson, as_json.host, as_json.extra_dejson]

    @task
    def not_json():
        return datetime(2025, 1, 1)

    @task
    def no_return():
        print("side effect only")

    @task.branch
    def choose(target):
        return target

    @task.short_circuit
    def gate(value):
        return value

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def soft_gate():
        return 0

    @task.bash
    def templated_bash(word):
        return "echo " + word + " {{ ds }}"

    PythonOperator(task_id="classic", python_callable=classic, templates_dict={"when": "{{ ds }}/{{ params.name }}"},
                   op_kwargs={"unused": "{{ run_id }}"})
    BranchPythonOperator(task_id="classic_branch", python_callable=lambda: ["b1"])
    ShortCircuitOperator(task_id="classic_gate", python_callable=lambda: True)

    BashOperator(task_id="bash_lines", bash_command="echo first; echo last")
    BashOperator(task_id="bash_no_push", bash_command="echo hidden", do_xcom_push=False)
    BashOperator(task_id="bash_skip", bash_command="exit 99")
    BashOperator(task_id="bash_custom_skip", bash_command="exit 3", skip_on_exit_code=[3])
    BashOperator(task_id="bash_fail", bash_command="echo oops; exit 2")
    BashOperator(task_id="bash_env", bash_command='echo "${MSG:-unset}/${HOME:-nohome}/$AIRFLOW_CTX_TASK_ID"',
                 env={"MSG": "{{ params.name }}"})
    BashOperator(task_id="bash_append_env", bash_command='echo "$MSG/${LEOFLOW_TEST_MARK:-unset}"',
                 env={"MSG": "hi"}, append_env=True)
    BashOperator(task_id="bash_cwd", bash_command="pwd", cwd="{{ dag.folder }}")
    BashOperator(task_id="bash_tmp_cwd", bash_command="pwd")
    BashOperator(task_id="bash_script", bash_command="script.sh")
    BashOperator(task_id="bash_macros", bash_command=(
        "echo {{ macros.ds_add(ds, 3) }} {{ ds_nodash }} {{ run_id }} {{ dag.dag_id }} {{ task.task_id }} "
        "{{ params.count }} {{ var.value.given }} {{ conn.given.host }} {{ ti.xcom_pull(task_ids='extract')['a'] }} "
        "{{ shout('x') }} {{ logical_date | ds }}"))
    BashOperator(task_id="bash_undefined", bash_command="echo {{ not_defined }}")

    b1 = EmptyOperator(task_id="b1")
    b2 = EmptyOperator(task_id="b2")
    after_b1 = EmptyOperator(task_id="after_b1")
    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")
    with TaskGroup("grp") as grp:
        g1 = EmptyOperator(task_id="g1")
        g2 = EmptyOperator(task_id="g2")
        g1 >> g2
    for chooser in (choose("b1"), choose("grp"), choose(["b1", "b2"]), choose(None)):
        chooser >> [b1, b2, grp]
    b1 >> after_b1 >> join
    b1 >> join

    downstream = EmptyOperator(task_id="downstream")
    further = EmptyOperator(task_id="further")
    downstream >> further
    gate(0) >> downstream
    gate(5) >> downstream
    soft_gate() >> downstream

    e = extract()
    s = split()
    add(s["left"], y=10)
    add(e["a"])
    sq = square.expand(x=[1, 2, 3])
    total(sq)
    combine.expand(x=["a", "b"], y=[1, 2, 3])
    combine.partial(y="fixed").expand(x={"k": "v"})
    combine.expand_kwargs([{"x": "p", "y": "q"}, {"x": "r", "y": "s"}])
    combine.expand_kwargs(extract.override(task_id="kw_source")())
    square.expand(x=extract.override(task_id="nums")())
    BashOperator.partial(task_id="bash_mapped").expand(bash_command=["echo one", "echo two"])
    for t in (context_keys, pulls, failing, hard_fail, skipping, variables, missing_variable, connections,
              not_json, no_return):
        t()
    templated_bash("hello")
'''

XCOMS = [
    {"task_id": "extract", "map_index": -1, "key": "return_value", "value": {"a": 1}},
    {"task_id": "split", "map_index": -1, "key": "left", "value": 1},
    {"task_id": "split", "map_index": -1, "key": "right", "value": [2]},
    {"task_id": "split", "map_index": -1, "key": "return_value", "value": {"left": 1, "right": [2]}},
    {"task_id": "square", "map_index": 0, "key": "return_value", "value": 1},
    {"task_id": "square", "map_index": 1, "key": "return_value", "value": 4},
    {"task_id": "square", "map_index": 2, "key": "return_value", "value": 9},
    {"task_id": "kw_source", "map_index": -1, "key": "return_value", "value": [{"x": 7, "y": 8}]},
    {"task_id": "nums", "map_index": -1, "key": "return_value", "value": [10, 20]},
]


@pytest.fixture(scope="module")
def rt_dag(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rt_project")
    (folder / "script.sh").write_text('echo "script for {{ dag.dag_id }}"\n')
    return write_dag(folder, DAG_SOURCE)


def xcom_values(result):
    return {x["key"]: x["value"] for x in result["xcoms"]}


# (task_id, context overrides, expected state, expected return_value (or ...), extra checks)
CASES = [
    ("extract", {}, "success", {"a": 1}, None),
    ("split", {}, "success", {"left": 1, "right": [2]},
     lambda r, out, err: xcom_values(r)["left"] == 1 and xcom_values(r)["right"] == [2]),
    ("add", {"xcoms": XCOMS}, "success", 11, None),
    ("add__1", {"xcoms": XCOMS}, "failed", ..., lambda r, out, err: r["error"] == (
        'airflow.exceptions.XComNotFound: XComArg result from extract at rt with key="a" is not found!')),
    ("context_keys", {"conf": {"name": "leo"}, "try_number": 2}, "success", {
        "try": 2, "map_index": -1, "conf": {"name": "leo"}, "run_id": "manual__2026-11-28T10:00:00+00:00",
        "ds": "2026-11-28", "ts": "2026-11-28T10:00:00+00:00", "ds_nodash": "20261128",
        "ts_nodash": "20261128T100000", "params": {"name": "leo", "count": 1}, "task": "context_keys", "dag": "rt",
        "logical": "2026-11-28T10:00:00+00:00", "interval": "2026-11-28T10:00:00+00:00", "same": True,
        "run_id_in_rest": False}, None),
    ("pulls", {"xcoms": XCOMS}, "success", {
        "single": {"a": 1}, "key": 1, "list": [{"a": 1}, {"left": 1, "right": [2]}], "mapped_all": [1, 4, 9],
        "mapped_one": 4, "mapped_some": [9, 1], "missing": None, "missing_default": "dflt"}, None),
    ("square", {"map_index": 2}, "success", 9, None),
    ("total", {"xcoms": XCOMS, "upstream_map_indexes": {"square": 3}}, "success", 14, None),
    ("combine", {"map_index": 0}, "success", "a-1", None),
    ("combine", {"map_index": 4}, "success", "b-2", None),
    ("combine__1", {"map_index": 0}, "success", "('k', 'v')-fixed", None),
    ("combine__2", {"map_index": 1}, "success", "r-s", None),
    ("combine__3", {"map_index": 0, "xcoms": XCOMS}, "success", "7-8", None),
    ("square__1", {"map_index": 1, "xcoms": XCOMS}, "success", 400, None),
    ("bash_mapped", {"map_index": 1}, "success", "two", None),
    ("failing", {}, "failed", ..., lambda r, out, err: r["error"] == "ValueError: always fails"
     and not r["no_retry"] and 'raise ValueError("always fails")' in err and "Traceback" in err),
    ("hard_fail", {}, "failed", ..., lambda r, out, err: r["no_retry"]
     and r["error"] == "airflow.exceptions.AirflowFailException: no point retrying"),
    ("skipping", {}, "skipped", ..., lambda r, out, err: r["xcoms"] == []),
    ("variables", {"variables": {"given": "g"}}, "success", ["g", "env", "yes", "fallback", {"k": 1}],
     lambda r, out, err: r["variables_set"] == {"written": "yes", "as_json": '{\n  "k": 1\n}'}),
    ("missing_variable", {}, "failed", ..., lambda r, out, err: r["error"] == "KeyError: 'Variable not_there does not exist'"),
    ("connections", {"connections": {"given": {"conn_type": "http", "host": "h.example", "login": "me",
                                               "password": None, "schema": None, "port": 8080, "extra": "{}"}}},
     "success", ["h.example", "me", 8080, "postgres", "db.example", "user", "p@ss", 5432, "mydb", {"sslmode": "require"},
                 "j.example", {"a": 1}], None),
    ("not_json", {}, "failed", ..., lambda r, out, err: "datetime" in r["error"]),
    ("no_return", {}, "success", ..., lambda r, out, err: r["xcoms"] == [] and "side effect only" in out),
    ("classic", {"conf": {"name": "leo"}}, "success", "2026-11-28/leo",
     lambda r, out, err: xcom_values(r)["extra"] == ["2026-11-28", "leo"]
     and r["rendered_fields"]["templates_dict"] == {"when": "2026-11-28/leo"}
     and r["rendered_fields"]["op_kwargs"] == {"unused": "manual__2026-11-28T10:00:00+00:00"}),
    ("bash_lines", {}, "success", "last", lambda r, out, err: "first" in out),
    ("bash_no_push", {}, "success", ..., lambda r, out, err: r["xcoms"] == [] and "hidden" in out),
    ("bash_skip", {}, "skipped", ..., None),
    ("bash_custom_skip", {}, "skipped", ..., None),
    ("bash_fail", {}, "failed", ..., lambda r, out, err: r["error"] == "airflow.exceptions.AirflowException: "
     "Bash command failed. The command returned a non-zero exit code 2." and "oops" in out),
    ("bash_env", {}, "success", "world/nohome/bash_env",
     lambda r, out, err: r["rendered_fields"]["env"] == {"MSG": "world"}),
    ("bash_append_env", {}, "success", "hi/marked", None),
    ("bash_cwd", {}, "success", "<dag folder>", None),
    ("bash_tmp_cwd", {}, "success", ..., lambda r, out, err: "airflowtmp" in xcom_values(r)["return_value"]),
    ("bash_script", {}, "success", "script for rt", None),
    ("bash_macros", {"xcoms": XCOMS, "variables": {"given": "g"},
                     "connections": {"given": {"conn_type": "http", "host": "h.example"}}},
     "success", "2026-12-01 20261128 manual__2026-11-28T10:00:00+00:00 rt bash_macros 1 g h.example 1 X 2026-11-28",
     None),
    ("bash_undefined", {}, "failed", ..., lambda r, out, err: "'not_defined' is undefined" in r["error"]),
    ("templated_bash", {}, "success", "hello 2026-11-28",
     lambda r, out, err: r["rendered_fields"]["op_args"] == ["hello"]),
    ("classic_gate", {}, "success", True, lambda r, out, err: r["skip_task_ids"] == []),
]


@pytest.mark.parametrize("task_id,context,state,value,check", CASES,
                         ids=[f"{c[0]}-{c[1].get('map_index', -1)}" for c in CASES])
def test_task(rt_dag, tmp_path, task_id, context, state, value, check):
    env = {"AIRFLOW_VAR_FROM_ENV": "env", "LEOFLOW_TEST_MARK": "marked",
           "AIRFLOW_CONN_FROM_URI": "postgres://user:p%40ss@db.example:5432/mydb?sslmode=require",
           "AIRFLOW_CONN_FROM_JSON": json.dumps({"conn_type": "http", "host": "j.example", "extra": {"a": 1}})}
    code, result, out, err = run_task(rt_dag, "rt", task_id, tmp_path, env=env, **context)
    assert result is not None, err
    assert result["state"] == state, err
    assert code == (1 if state == "failed" else 0)
    if value == "<dag folder>":
        value = rt_dag.rsplit("/", 1)[0]
    if value is not ...:
        assert xcom_values(result)["return_value"] == value
    if check is not None:
        assert check(result, out, err), (result, out, err)


SKIP_CASES = [
    ("choose", {"b2", "grp.g1"}),
    ("choose__1", {"b1", "b2"}),
    ("choose__2", {"grp.g1"}),
    ("choose__3", {"b1", "b2", "grp.g1"}),
    ("gate", {"downstream", "further"}),
    ("gate__1", set()),
    ("soft_gate", {"downstream"}),
    ("classic_branch", set()),
]


@pytest.mark.parametrize("task_id,skipped", SKIP_CASES, ids=[c[0] for c in SKIP_CASES])
def test_skip_decisions(rt_dag, tmp_path, task_id, skipped):
    code, result, out, err = run_task(rt_dag, "rt", task_id, tmp_path)
    assert code == 0 and result["state"] == "success", err
    assert set(result["skip_task_ids"]) == skipped


def test_branch_keeps_a_join_downstream_of_the_chosen_task(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG, task
        from airflow.operators.empty import EmptyOperator
        with DAG("b"):
            @task.branch
            def pick():
                return "fast"
            fast = EmptyOperator(task_id="fast")
            slow = EmptyOperator(task_id="slow")
            join = EmptyOperator(task_id="join")
            p = pick()
            p >> [fast, slow]
            fast >> join
            p >> join
        """)
    code, result, out, err = run_task(path, "b", "pick", tmp_path)
    assert result["skip_task_ids"] == ["slow"], err
    assert {"key": "skipmixin_key", "value": {"followed": ["fast", "join"]}} in result["xcoms"]


def test_dag_source_from_context_wins_over_the_file(tmp_path):
    path = write_dag(tmp_path, "raise RuntimeError('the file on disk is newer')\n")
    source = "from airflow.sdk import DAG, task\nwith DAG('v'):\n    @task\n    def t():\n        return 'old'\n    t()\n"
    code, result, out, err = run_task(path, "v", "t", tmp_path, dag_source=source)
    assert result["state"] == "success" and result["xcoms"] == [{"key": "return_value", "value": "old"}], err


def test_traceback_shows_the_dag_file_and_line(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG, task
        with DAG("tb"):
            @task
            def boom():
                x = 1
                raise KeyError("missing")
            boom()
        """)
    code, result, out, err = run_task(path, "tb", "boom", tmp_path)
    assert code == 1 and result["error"] == "KeyError: 'missing'"
    assert f'File "{path}", line 6, in boom' in err


def test_params_are_validated_against_conf(rt_dag, tmp_path):
    code, result, out, err = run_task(rt_dag, "rt", "context_keys", tmp_path, conf={"count": "many"})
    assert code == 1
    assert result["error"] == ("airflow.exceptions.ParamValidationError: Invalid input for param count: "
                               "'many' is not of type 'integer'")


def test_native_rendering(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG
        from airflow.operators.python import PythonOperator
        with DAG("native", render_template_as_native_obj=True, params={"n": 3}):
            PythonOperator(task_id="t", python_callable=lambda items, n: [items, n * 2],
                           op_kwargs={"items": "{{ [1, 2] }}", "n": "{{ params.n }}"})
        """)
    code, result, out, err = run_task(path, "native", "t", tmp_path)
    assert result["xcoms"] == [{"key": "return_value", "value": [[1, 2], 6]}], err


def test_callbacks_run(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG, task
        def report(context):
            print("callback for", context["ti"].task_id, type(context.get("exception")).__name__)
        with DAG("cb", default_args={"on_success_callback": report, "on_failure_callback": report}):
            @task
            def ok():
                return 1
            @task
            def bad():
                raise ValueError("x")
            ok(); bad()
        """)
    _, _, out, _ = run_task(path, "cb", "ok", tmp_path)
    assert "callback for ok NoneType" in out
    _, _, out, _ = run_task(path, "cb", "bad", tmp_path)
    assert "callback for bad ValueError" in out


def test_execution_timeout_fails_the_task(tmp_path):
    path = write_dag(tmp_path, """
        from datetime import timedelta
        from airflow.sdk import DAG, task
        with DAG("slow"):
            @task(execution_timeout=timedelta(seconds=0.2))
            def spin():
                while True:
                    pass
            spin()
        """)
    code, result, out, err = run_task(path, "slow", "spin", tmp_path)
    assert code == 1 and result["error"].startswith("airflow.exceptions.AirflowTaskTimeout: Timeout, PID: ")


@pytest.mark.parametrize("conf,expected", [({}, [3, "big"]), ({"size": 7}, [7, "big"])])
def test_dag_function_arguments_resolve_from_conf(tmp_path, conf, expected):
    path = write_dag(tmp_path, """
        from airflow.decorators import dag, task
        @dag(schedule=None)
        def sized(size=3, label="big"):
            @task
            def show(n, label):
                return [n, label]
            show(size, label)
        sized()
        """)
    code, result, out, err = run_task(path, "sized", "show", tmp_path, conf=conf)
    assert result["xcoms"] == [{"key": "return_value", "value": expected}], err
