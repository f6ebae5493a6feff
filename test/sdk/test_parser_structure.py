"""Parser: dependencies, ids, task groups, TaskFlow wiring and mapping specs."""
import textwrap

import pytest

from conftest import parse_ok, tasks_of, write_dag

HEADER = """
from datetime import datetime, timedelta
from airflow.sdk import DAG, TaskGroup, chain, chain_linear, cross_downstream, dag, task, task_group, Label
from airflow.operators.empty import EmptyOperator
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.models.baseoperator import chain as chain2
"""

STRUCTURE_CASES = [
    ("rshift list fan-out and fan-in", """
        with DAG("d"):
            a, b, c, d = [EmptyOperator(task_id=x) for x in "abcd"]
            a >> [b, c] >> d
     """, {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}),
    ("lshift", """
        with DAG("d"):
            a, b, c = [EmptyOperator(task_id=x) for x in "abc"]
            c << [a, b]
     """, {"a": [], "b": [], "c": ["a", "b"]}),
    ("set_upstream and set_downstream", """
        with DAG("d"):
            a, b, c = [EmptyOperator(task_id=x) for x in "abc"]
            a.set_downstream(b)
            c.set_upstream([a, b])
     """, {"a": [], "b": ["a"], "c": ["a", "b"]}),
    ("chain with equal-length lists", """
        with DAG("d"):
            a, b, c, d, e = [EmptyOperator(task_id=x) for x in "abcde"]
            chain(a, [b, c], [d, e])
     """, {"a": [], "b": ["a"], "c": ["a"], "d": ["b"], "e": ["c"]}),
    ("chain from airflow.models.baseoperator", """
        with DAG("d"):
            a, b, c = [EmptyOperator(task_id=x) for x in "abc"]
            chain2(a, b, c)
     """, {"a": [], "b": ["a"], "c": ["b"]}),
    ("cross_downstream", """
        with DAG("d"):
            a, b, c, d = [EmptyOperator(task_id=x) for x in "abcd"]
            cross_downstream([a, b], [c, d])
     """, {"a": [], "b": [], "c": ["a", "b"], "d": ["a", "b"]}),
    ("chain_linear", """
        with DAG("d"):
            a, b, c, d = [EmptyOperator(task_id=x) for x in "abcd"]
            chain_linear(a, [b, c], d)
     """, {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}),
    ("Label between tasks", """
        with DAG("d"):
            a, b = [EmptyOperator(task_id=x) for x in "ab"]
            a >> Label("why") >> b
     """, {"a": [], "b": ["a"]}),
    ("dag= argument without a with block", """
        d = DAG("d")
        a = EmptyOperator(task_id="a", dag=d)
        b = EmptyOperator(task_id="b", dag=d)
        a >> b
     """, {"a": [], "b": ["a"]}),
    ("nested task groups prefix ids", """
        with DAG("d"):
            start = EmptyOperator(task_id="start")
            with TaskGroup("stage") as stage:
                one = EmptyOperator(task_id="one")
                with TaskGroup("inner"):
                    two = EmptyOperator(task_id="two")
                one >> two
            start >> stage
     """, {"start": [], "stage.one": ["start"], "stage.inner.two": ["stage.one"]}),
    ("prefix_group_id=False", """
        with DAG("d"):
            with TaskGroup("g", prefix_group_id=False):
                EmptyOperator(task_id="plain")
     """, {"plain": []}),
    ("group >> group connects leaves to roots", """
        with DAG("d"):
            with TaskGroup("g1") as g1:
                a = EmptyOperator(task_id="a")
                b = EmptyOperator(task_id="b")
                a >> b
            with TaskGroup("g2") as g2:
                c = EmptyOperator(task_id="c")
                d = EmptyOperator(task_id="d")
            g1 >> g2
     """, {"g1.a": [], "g1.b": ["g1.a"], "g2.c": ["g1.b"], "g2.d": ["g1.b"]}),
    ("@task_group repeated calls get suffixes", """
        with DAG("d"):
            @task
            def work(x):
                return x
            @task_group
            def section(x):
                return work(x)
            section(1) >> section(2)
     """, {"section.work": [], "section__1.work": ["section.work"]}),
    ("@task_group returning nothing stands for the group", """
        with DAG("d"):
            first = EmptyOperator(task_id="first")
            @task_group(group_id="grp")
            def build():
                EmptyOperator(task_id="x")
                EmptyOperator(task_id="y")
            first >> build()
     """, {"first": [], "grp.x": ["first"], "grp.y": ["first"]}),
    ("repeated TaskFlow calls get __1, __2", """
        with DAG("d"):
            @task
            def step(x):
                return x
            step(step(step(1)))
     """, {"step": [], "step__1": ["step"], "step__2": ["step__1"]}),
    ("XComArg arguments, output and keys become edges", """
        with DAG("d"):
            @task(multiple_outputs=True)
            def source():
                return {"a": 1}
            @task
            def sink(x, y, z):
                return x
            bash = BashOperator(task_id="bash", bash_command="echo 1")
            s = source()
            sink(s["a"], bash.output, z=[s])
     """, {"bash": [], "source": [], "sink": ["bash", "source"]}),
    ("XComArg in a classic operator's templated field", """
        with DAG("d"):
            @task
            def make():
                return "hi"
            BashOperator(task_id="say", bash_command="echo $MSG", env={"MSG": make()})
     """, {"make": [], "say": ["make"]}),
    ("@dag function", """
        @dag(schedule=None)
        def pipeline():
            @task
            def a():
                return 1
            @task
            def b(x):
                return x
            b(a())
        pipeline()
     """, {"a": [], "b": ["a"]}),
    ("mapped upstream and reduce", """
        with DAG("d"):
            @task
            def nums():
                return [1, 2]
            @task
            def double(x):
                return 2 * x
            @task
            def total(values):
                return sum(values)
            total(double.expand(x=nums()))
     """, {"nums": [], "double": ["nums"], "total": ["double"]}),
]


@pytest.mark.parametrize("name,body,edges", STRUCTURE_CASES, ids=[case[0] for case in STRUCTURE_CASES])
def test_structure(dag_dir, name, body, edges):
    spec = parse_ok(write_dag(dag_dir, HEADER + textwrap.dedent(body)))
    got = {task_id: task["upstream"] for task_id, task in tasks_of(spec).items()}
    assert got == edges
    assert list(got) == list(edges), "tasks are listed in definition order"


def test_task_groups_listed_with_parents(dag_dir):
    spec = parse_ok(write_dag(dag_dir, HEADER + """
with DAG("d"):
    with TaskGroup("stage", tooltip="outer"):
        with TaskGroup("inner", prefix_group_id=False):
            EmptyOperator(task_id="t")
"""))
    groups = spec["dags"][0]["task_groups"]
    assert groups == [
        {"group_id": "stage", "parent": None, "tooltip": "outer", "prefix_group_id": True, "mapping": None},
        {"group_id": "stage.inner", "parent": "stage", "tooltip": "", "prefix_group_id": False, "mapping": None},
    ]
    assert tasks_of(spec)["t"]["task_group"] == "stage.inner"


def test_taskflow_arguments_and_fields(dag_dir):
    path = write_dag(dag_dir, HEADER + """
with DAG("d"):
    @task
    def extract() -> dict:
        '''Pull the orders.'''
        return {"orders": []}

    @task(retries=3, retry_delay=timedelta(seconds=7), trigger_rule="all_done", pool="p",
          execution_timeout=timedelta(minutes=2))
    def load(payload, limit, flag=False):
        return 1

    e = extract()
    load.override(task_id="load_it")(e, 10, flag=e["orders"])
""")
    spec = parse_ok(path)
    tasks = tasks_of(spec)
    extract, load = tasks["extract"], tasks["load_it"]
    assert extract["multiple_outputs"] is True
    assert extract["doc_md"] == "Pull the orders."
    assert extract["operator"] == "_PythonDecoratedOperator"
    assert extract["operator_name"] == "@task"
    assert extract["operator_module"] == "airflow.providers.standard.decorators.python"
    assert extract["callable"] == "dag:extract"
    assert load["arguments"] == {
        "payload": {"xcom": {"task_id": "extract", "key": "return_value"}},
        "limit": {"literal": 10},
        "flag": {"xcom": {"task_id": "extract", "key": "orders"}},
    }
    assert (load["retries"], load["retry_delay"], load["trigger_rule"], load["pool"], load["execution_timeout"]) \
        == (3, 7, "all_done", "p", 120)
    with open(path) as handle:
        assert load["line"] == 1 + [i for i, line in enumerate(handle) if "load.override" in line][0]


def test_operator_fields_match_airflow(dag_dir):
    spec = parse_ok(write_dag(dag_dir, HEADER + """
from airflow.operators.python import BranchPythonOperator, ShortCircuitOperator
with DAG("d", default_args={"owner": "ops", "retries": 2}):
    BashOperator(task_id="b", bash_command="echo {{ ds }}")
    EmptyOperator(task_id="e", retries=0)
    PythonOperator(task_id="p", python_callable=print, op_kwargs={"sep": ","})
    BranchPythonOperator(task_id="br", python_callable=lambda: "b")
    ShortCircuitOperator(task_id="sc", python_callable=lambda: True)
    @task.bash
    def tb():
        return "echo hi"
    @task.branch
    def tbr():
        return "b"
    @task.short_circuit
    def tsc():
        return True
    tb(); tbr(); tsc()
"""))
    tasks = tasks_of(spec)
    expected = {
        "b": ("BashOperator", "BashOperator", "airflow.providers.standard.operators.bash", "bash", "#f0ede4",
              ["bash_command", "env", "cwd"]),
        "e": ("EmptyOperator", "EmptyOperator", "airflow.providers.standard.operators.empty", "empty", "#e8f7e4", []),
        "p": ("PythonOperator", "PythonOperator", "airflow.providers.standard.operators.python", "python",
              "#ffefeb", ["templates_dict", "op_args", "op_kwargs"]),
        "br": ("BranchPythonOperator", "BranchPythonOperator", "airflow.providers.standard.operators.python",
               "branch", "#ffefeb", ["templates_dict", "op_args", "op_kwargs"]),
        "sc": ("ShortCircuitOperator", "ShortCircuitOperator", "airflow.providers.standard.operators.python",
               "short_circuit", "#ffefeb", ["templates_dict", "op_args", "op_kwargs"]),
        "tb": ("_BashDecoratedOperator", "@task.bash", "airflow.providers.standard.decorators.bash", "bash",
               "#f0ede4", ["op_args", "op_kwargs", "bash_command", "env", "cwd"]),
        "tbr": ("_BranchPythonDecoratedOperator", "@task.branch",
                "airflow.providers.standard.decorators.branch_python", "branch", "#ffefeb",
                ["templates_dict", "op_args", "op_kwargs"]),
        "tsc": ("_ShortCircuitDecoratedOperator", "@task.short_circuit",
                "airflow.providers.standard.decorators.short_circuit", "short_circuit", "#ffefeb",
                ["templates_dict", "op_args", "op_kwargs"]),
    }
    for task_id, (operator, name, module, kind, color, fields) in expected.items():
        task = tasks[task_id]
        assert (task["operator"], task["operator_name"], task["operator_module"], task["type"], task["ui_color"],
                task["template_fields"]) == (operator, name, module, kind, color, fields), task_id
        assert task["owner"] == "ops"
    assert tasks["b"]["bash_command"] == "echo {{ ds }}"
    assert tasks["b"]["retries"] == 2 and tasks["e"]["retries"] == 0
    assert tasks["p"]["arguments"] == {"sep": {"literal": ","}}
    assert tasks["b"]["queue"] == "default" and tasks["b"]["pool"] == "default_pool"
    assert tasks["b"]["retry_delay"] == 300 and tasks["b"]["weight_rule"] == "downstream"


MAPPING_CASES = [
    ("expand over a literal", "square.expand(x=[1, 2, 3])", "square",
     {"kind": "expand", "args": {"x": {"literal": [1, 2, 3]}}}),
    ("expand over an upstream XCom", "square.expand(x=nums())", "square",
     {"kind": "expand", "args": {"x": {"xcom": {"task_id": "nums", "key": "return_value"}}}}),
    ("partial then expand", "scale.partial(factor=10).expand(x=[4, 5])", "scale",
     {"kind": "expand", "args": {"x": {"literal": [4, 5]}}}),
    ("cross product of two arguments", "scale.expand(x=[1, 2], factor=[10, 100])", "scale",
     {"kind": "expand", "args": {"x": {"literal": [1, 2]}, "factor": {"literal": [10, 100]}}}),
    ("expand_kwargs over literals", "scale.expand_kwargs([{'x': 1, 'factor': 2}])", "scale",
     {"kind": "expand_kwargs", "source": {"literal": [{"x": 1, "factor": 2}]}}),
    ("expand_kwargs over an XCom", "scale.expand_kwargs(pairs())", "scale",
     {"kind": "expand_kwargs", "source": {"xcom": {"task_id": "pairs", "key": "return_value"}}}),
    ("classic operator partial().expand()",
     "BashOperator.partial(task_id='echo', retries=2).expand(bash_command=['echo 1', 'echo 2'])", "echo",
     {"kind": "expand", "args": {"bash_command": {"literal": ["echo 1", "echo 2"]}}}),
]


@pytest.mark.parametrize("name,call,task_id,mapping", MAPPING_CASES, ids=[case[0] for case in MAPPING_CASES])
def test_mapping_spec(dag_dir, name, call, task_id, mapping):
    spec = parse_ok(write_dag(dag_dir, HEADER + f"""
with DAG("d"):
    @task
    def nums():
        return [1, 2]
    @task
    def pairs():
        return [{{"x": 1, "factor": 3}}]
    @task
    def square(x):
        return x * x
    @task
    def scale(x, factor):
        return x * factor

    {call}
"""))
    task = tasks_of(spec)[task_id]
    assert task["mapping"] == mapping


def test_mapped_partial_arguments_and_retries(dag_dir):
    spec = parse_ok(write_dag(dag_dir, HEADER + """
with DAG("d"):
    @task(retries=4)
    def scale(x, factor):
        return x * factor
    scale.partial(factor=10).expand(x=[1])
    BashOperator.partial(task_id="echo", retries=2).expand(bash_command=["echo 1"])
"""))
    tasks = tasks_of(spec)
    assert tasks["scale"]["arguments"] == {"factor": {"literal": 10}}
    assert tasks["scale"]["retries"] == 4
    assert tasks["echo"]["retries"] == 2
    assert tasks["echo"]["operator"] == "BashOperator" and tasks["echo"]["type"] == "bash"


def test_empty_operator_with_callbacks_needs_a_process(dag_dir):
    spec = parse_ok(write_dag(dag_dir, HEADER + """
with DAG("d"):
    EmptyOperator(task_id="plain")
    EmptyOperator(task_id="notifying", on_success_callback=print)
"""))
    tasks = tasks_of(spec)
    assert (tasks["plain"]["type"], tasks["notifying"]["type"]) == ("empty", "python")


def test_default_args_layers(dag_dir):
    spec = parse_ok(write_dag(dag_dir, HEADER + """
with DAG("d", default_args={"retries": 1, "owner": "dag_owner", "pool": "dag_pool"}):
    with TaskGroup("g", default_args={"retries": 2}):
        with TaskGroup("inner", default_args={"pool": "inner_pool"}):
            EmptyOperator(task_id="deep")
            EmptyOperator(task_id="own", retries=5, default_args={"owner": "task_owner"})
    @task(retries=3)
    def flow():
        pass
    flow()
"""))
    tasks = tasks_of(spec)
    assert [(t["retries"], t["owner"], t["pool"]) for t in tasks.values()] == [
        (2, "dag_owner", "inner_pool"), (5, "task_owner", "inner_pool"), (3, "dag_owner", "dag_pool")]
