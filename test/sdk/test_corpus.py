"""Each corpus project (real Airflow DAGs with the outcome Airflow gives) parsed and run end to end."""
import json
import os
import shutil

import pytest

from conftest import FIXTURES, parse_ok
from engine_sim import run_dag

CORPUS = os.path.join(FIXTURES, "corpus")
PROJECTS = sorted(os.listdir(CORPUS))


@pytest.mark.parametrize("project", PROJECTS)
def test_corpus_project(project, tmp_path):
    folder = tmp_path / project
    shutil.copytree(os.path.join(CORPUS, project), folder)
    with open(folder / "expect.json") as handle:
        expect = json.load(handle)
    spec = parse_ok(str(folder / "dag.py"))
    dag = next(d for d in spec["dags"] if d["dag_id"] == expect["dag_id"])
    assert {t["task_id"]: t["upstream"] for t in dag["tasks"]} == {k: sorted(v) for k, v in expect["tasks"].items()}
    if "schedule" in expect:
        assert dag["schedule"] == expect["schedule"]

    run = expect["run"]
    states, tries, xcoms, logs = run_dag(dag, str(folder / "dag.py"), tmp_path, conf=run.get("conf"))
    assert states == run["task_states"]
    overall = "failed" if any(s in ("failed", "upstream_failed") for s in states.values()) else "success"
    assert overall == run["state"]
    for task_id, try_number in run.get("try_numbers", {}).items():
        assert tries[task_id] == try_number
    for task_id, value in run.get("xcom", {}).items():
        pushed = [x["value"] for x in xcoms if x["task_id"] == task_id and x["key"] == "return_value"]
        assert pushed == [value]
    for task_id, text in run.get("log_contains", {}).items():
        assert text in logs[task_id]
