"""Parser failures: unsupported features (exact message with file:line), user errors with tracebacks."""
import pytest

from conftest import run_parser, write_dag

# (name, source, feature, line of the offending statement)
UNSUPPORTED_CASES = [
    ("provider import", """
        from airflow import DAG
        from airflow.providers.amazon.aws.operators.s3 import S3CreateBucketOperator
        """, "airflow.providers.amazon", 2),
    ("sensor import", """
        from airflow import DAG
        from airflow.sensors.external_task import ExternalTaskSensor
        """, "airflow.sensors.external_task", 2),
    ("missing name in airflow.sdk", """
        from airflow.sdk import DAG, AssetWatcher
        """, "airflow.sdk.AssetWatcher", 1),
    ("Asset schedule", """
        from airflow.sdk import DAG, Asset
        with DAG("d", schedule=[Asset("s3://bucket/key")]):
            pass
        """, "Assets", 2),
    ("Dataset schedule", """
        from airflow import DAG
        from airflow.datasets import Dataset
        orders = Dataset("orders")
        """, "Datasets", 3),
    ("continuous schedule", """
        from airflow import DAG
        dag = DAG(
            "d",
            schedule="@continuous",
        )
        """, "schedule='@continuous'", 2),
    ("deferrable operator", """
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("d"):
            BashOperator(task_id="b", bash_command="true", deferrable=True)
        """, "deferrable=True", 4),
    ("sla in default_args", """
        from datetime import timedelta
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("d", default_args={"sla": timedelta(hours=1)}):
            EmptyOperator(task_id="t")
        """, "sla=datetime.timedelta(seconds=3600)", 5),
    ("virtualenv TaskFlow", """
        from airflow.sdk import DAG, task
        with DAG("d"):
            @task.docker(image="python:3.12")
            def f():
                pass
        """, "@task.docker", 3),
    ("mapped task group", """
        from airflow.sdk import DAG, task, task_group
        with DAG("d"):
            @task_group
            def tg(x):
                pass
            tg.expand(x=[1, 2])
        """, "mapped task groups (@task_group.expand)", 6),
    ("DAG failure callback", """
        from airflow import DAG
        with DAG("d", on_failure_callback=print):
            pass
        """, "DAG on_failure_callback", 2),
    ("setup task", """
        from airflow.sdk import DAG, setup
        create = setup(print)
        """, "setup tasks (@setup)", 2),
    ("sensor in reschedule mode", """
        from airflow import DAG
        from airflow.sensors.python import PythonSensor
        with DAG("d"):
            PythonSensor(task_id="s", python_callable=bool, mode="reschedule")
        """, "sensors in mode='reschedule'", 4),
    ("XComArg.map", """
        from airflow.sdk import DAG, task
        with DAG("d"):
            @task
            def nums():
                return [1]
            nums().map(str)
        """, "XComArg.map()", 6),
]


@pytest.mark.parametrize("name,source,feature,line", UNSUPPORTED_CASES, ids=[c[0] for c in UNSUPPORTED_CASES])
def test_unsupported_features(dag_dir, name, source, feature, line):
    code, spec, stdout, stderr = run_parser(write_dag(dag_dir, source))
    assert code == 1 and stdout == ""
    message = f"feature {feature} is not supported by Leoflow Lite (dag.py:{line})"
    assert stderr.rstrip().splitlines()[-1].endswith(message), stderr


def test_unsupported_feature_in_a_sibling_points_at_the_sibling(dag_dir):
    write_dag(dag_dir, "import os\n\nfrom airflow.providers.google.cloud.hooks import gcs\n", name="helpers.py")
    code, _, _, stderr = run_parser(write_dag(dag_dir, "from airflow import DAG\nimport helpers\n"))
    assert code == 1
    assert stderr.rstrip().endswith(
        "feature airflow.providers.google is not supported by Leoflow Lite (helpers.py:3)")


ERROR_CASES = [
    ("syntax error", "from airflow import DAG\nwith DAG('d')\n    pass\n", ["dag.py\", line 2", "SyntaxError"]),
    ("missing module", "import os\nimport not_a_module_anywhere\n",
     ["dag.py\", line 2, in <module>", "ModuleNotFoundError: No module named 'not_a_module_anywhere'"]),
    ("exception in user code", "def f():\n    raise ValueError('bad config')\n\nf()\n",
     ["dag.py\", line 4, in <module>", "dag.py\", line 2, in f", "ValueError: bad config"]),
    ("duplicate classic task id",
     "from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nwith DAG('d'):\n"
     "    EmptyOperator(task_id='t')\n    EmptyOperator(task_id='t')\n",
     ["dag.py\", line 5, in <module>",
      "airflow.exceptions.DuplicateTaskIdFound: Task id 't' has already been added to the DAG"]),
    ("cycle", "from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\nwith DAG('d'):\n"
     "    a = EmptyOperator(task_id='a')\n    b = EmptyOperator(task_id='b')\n    a >> b >> a\n",
     ["airflow.exceptions.AirflowDagCycleException: Cycle detected in DAG: d. Faulty task: a"]),
    ("invalid default param with a schedule",
     "from airflow.sdk import DAG, Param\nwith DAG('d', schedule='@daily', params={'n': Param('x', type='integer')}):\n"
     "    pass\n",
     ["Invalid input for param n: 'x' is not of type 'integer'",
      "ValueError: Dag 'd' is not allowed to define a Schedule"]),
    ("invalid trigger rule", "from airflow import DAG\nfrom airflow.operators.empty import EmptyOperator\n"
     "with DAG('d'):\n    EmptyOperator(task_id='t', trigger_rule='sometimes')\n",
     ["dag.py\", line 4", "received sometimes"]),
    ("unknown operator argument", "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n"
     "with DAG('d'):\n    BashOperator(task_id='t', bash_command='x', colour='red')\n",
     ["TypeError: Invalid arguments were passed to BashOperator (task_id: t). Invalid arguments were:",
      "**kwargs: {'colour': 'red'}"]),
    ("missing TaskFlow argument", "from airflow.sdk import DAG, task\nwith DAG('d'):\n"
     "    @task\n    def f(x):\n        return x\n    f()\n",
     ["dag.py\", line 6", "TypeError: missing a required argument: 'x'"]),
    ("bad cron", "from airflow import DAG\nDAG('d', schedule='every day')\n", ["dag.py\", line 2", "ValueError"]),
    ("invalid dag id", "from airflow import DAG\nDAG('has space')\n",
     ["has to be made of alphanumeric characters, dashes, dots and underscores exclusively"]),
]


@pytest.mark.parametrize("name,source,expected", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_user_errors_give_tracebacks(dag_dir, name, source, expected):
    path = write_dag(dag_dir, source)
    code, spec, stdout, stderr = run_parser(path)
    assert code == 1 and stdout == ""
    for text in expected:
        assert text in stderr, stderr
    assert "leoflow_parser/cli.py" not in stderr, "the parser's own frames are trimmed"
