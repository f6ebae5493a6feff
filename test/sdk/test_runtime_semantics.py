"""Runtime details Airflow 3 users rely on: BashOperator's XCom is text, a task that skips others
pushes no return value, templates_dict values naming a template file are loaded and rendered."""
from conftest import run_task, write_dag


def xcoms(result):
    return {x["key"]: x["value"] for x in result["xcoms"]}


def test_bash_xcom_is_the_last_line_as_text(tmp_path):
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.bash import BashOperator
        with DAG("bash_text"):
            BashOperator(task_id="number", bash_command="echo 41")
            BashOperator(task_id="json_like", bash_command="echo '[1, 2]'; echo true")
        """)
    code, result, out, err = run_task(path, "bash_text", "number", tmp_path)
    assert result["state"] == "success", err
    assert xcoms(result) == {"return_value": "41"}
    code, result, out, err = run_task(path, "bash_text", "json_like", tmp_path)
    assert xcoms(result) == {"return_value": "true"}


SKIPPING_DAG = """
    from airflow.sdk import DAG, task
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.providers.standard.operators.python import BranchPythonOperator, ShortCircuitOperator
    with DAG("skippers"):
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")

        @task.branch
        def pick_a():
            return "a"

        @task.branch
        def pick_both():
            return ["a", "b"]

        @task.short_circuit
        def closed():
            return 0

        @task.short_circuit
        def open_gate():
            return "go"

        @task.branch
        def mapped_pick(x):
            return "a"

        pick_a() >> [a, b]
        pick_both() >> [a, b]
        closed() >> a
        open_gate() >> b
        mapped_pick.expand(x=[1, 2]) >> [a, b]
        BranchPythonOperator(task_id="classic_branch", python_callable=lambda: "b") >> [a, b]
        ShortCircuitOperator(task_id="classic_gate", python_callable=lambda: []) >> b
"""

# (task, map index, skipped tasks, XComs pushed): Airflow 3 ends a task that skips others with
# DownstreamTasksSkipped, before its return value is pushed; a mapped one skips nothing itself.
SKIP_CASES = [
    ("pick_a", -1, ["b"], {"skipmixin_key": {"followed": ["a"]}}),
    ("pick_both", -1, [], {"skipmixin_key": {"followed": ["a", "b"]}, "return_value": ["a", "b"]}),
    ("closed", -1, ["a"], {"skipmixin_key": {"skipped": ["a"]}}),
    ("open_gate", -1, [], {"return_value": "go"}),
    ("mapped_pick", 1, [], {"skipmixin_key": {"followed": ["a"]}, "return_value": "a"}),
    ("classic_branch", -1, ["a"], {"skipmixin_key": {"followed": ["b"]}}),
    ("classic_gate", -1, ["b"], {"skipmixin_key": {"skipped": ["b"]}}),
]


def test_a_task_that_skips_pushes_no_return_value(tmp_path):
    path = write_dag(tmp_path, SKIPPING_DAG)
    for task_id, map_index, skipped, pushed in SKIP_CASES:
        code, result, out, err = run_task(path, "skippers", task_id, tmp_path, map_index=map_index)
        assert code == 0 and result["state"] == "success", (task_id, err)
        assert result["skip_task_ids"] == skipped, task_id
        assert xcoms(result) == pushed, task_id


def test_templates_dict_file_is_loaded_and_rendered(tmp_path):
    (tmp_path / "sql").mkdir()
    (tmp_path / "query.sql").write_text("SELECT * FROM t WHERE ds = '{{ ds }}'\n")
    (tmp_path / "sql" / "other.sql").write_text("-- {{ params.table }}\n")
    path = write_dag(tmp_path, """
        from airflow.sdk import DAG, task
        from airflow.providers.standard.operators.python import PythonOperator

        def show(templates_dict):
            return templates_dict

        with DAG("tdict", template_searchpath=["sql"], params={"table": "orders"}):
            PythonOperator(task_id="classic", python_callable=show, templates_exts=[".sql"],
                           templates_dict={"query": "query.sql", "other": "other.sql", "inline": "{{ ds_nodash }}"})
            PythonOperator(task_id="no_exts", python_callable=show, templates_dict={"query": "query.sql"})

            @task(templates_exts=[".sql"], templates_dict={"query": "query.sql"})
            def flow(templates_dict=None):
                return templates_dict["query"]
            flow()
        """)
    code, result, out, err = run_task(path, "tdict", "classic", tmp_path)
    assert result["state"] == "success", err
    assert xcoms(result)["return_value"] == {"query": "SELECT * FROM t WHERE ds = '2026-11-28'",
                                             "other": "-- orders", "inline": "20261128"}
    code, result, out, err = run_task(path, "tdict", "no_exts", tmp_path)
    assert xcoms(result)["return_value"] == {"query": "query.sql"}, err
    code, result, out, err = run_task(path, "tdict", "flow", tmp_path)
    assert xcoms(result)["return_value"] == "SELECT * FROM t WHERE ds = '2026-11-28'", err
