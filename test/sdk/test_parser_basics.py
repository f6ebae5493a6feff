"""Parser: ids, edges and DAG fields for the basic constructs."""
import pytest

from conftest import parse_ok, tasks_of, write_dag

EDGE_CASES = [
    ("context manager and >> with lists", """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("d"):
            a = EmptyOperator(task_id="a")
            b = EmptyOperator(task_id="b")
            c = EmptyOperator(task_id="c")
            d = EmptyOperator(task_id="d")
            a >> [b, c] >> d
        """, {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}),
    ("<< with a list on the left", """
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("d"):
            a = EmptyOperator(task_id="a")
            b = EmptyOperator(task_id="b")
            c = EmptyOperator(task_id="c")
            [a, b] << c
        """, {"a": ["c"], "b": ["c"], "c": []}),
]


@pytest.mark.parametrize("name,source,edges", EDGE_CASES, ids=[case[0] for case in EDGE_CASES])
def test_edges(dag_dir, name, source, edges):
    spec = parse_ok(write_dag(dag_dir, source))
    assert {task_id: task["upstream"] for task_id, task in tasks_of(spec).items()} == edges
