"""The store's database choice: `leoflow db check|migrate` on SQLite and on a
real PostgreSQL server (a throw-away cluster), bad URLs refused with one
clear line, and Lite serving, running and answering the same on PostgreSQL
as on SQLite."""
import json
import os
import re

import pytest

from lite import Lite, leoflow
from runs import trigger, wait_registered, wait_run, write_project

DAG = """
from datetime import datetime
from airflow.sdk import dag, task

@dag(schedule=None, start_date=datetime(2024, 1, 1), tags=["pg", "store"])
def store_check():
    @task
    def extract():
        return {"rows": [1, 2, 3]}

    @task
    def load(data):
        print("loaded", sum(data["rows"]))
        return len(data["rows"])

    load(extract())

store_check()
"""


def test_check_says_a_new_sqlite_home_has_no_database_yet_and_migrate_creates_it(tmp_path):
    home = tmp_path / "home"
    r = leoflow("db", "check", home=home)
    assert r.returncode == 1, r
    assert "database: sqlite://" + str(home / "dev" / "lite.db") in r.stdout
    assert "does not exist yet" in r.stdout
    r = leoflow("db", "migrate", home=home)
    assert r.returncode == 0, r
    assert re.search(r"migrated from schema version 0 to \d+", r.stdout), r.stdout
    r = leoflow("db", "check", home=home)
    assert r.returncode == 0, r
    assert "reachable: yes (SQLite 3." in r.stdout
    assert "pending migrations: none" in r.stdout
    r = leoflow("db", "migrate", home=home)
    assert "nothing to do" in r.stdout


@pytest.mark.parametrize("url", ["mysql://root@db/x", "sqlite://relative.db", "lite.db"])
def test_a_bad_database_url_is_one_clear_line_and_nothing_starts(tmp_path, url):
    r = leoflow("db", "check", "--database", url, home=tmp_path)
    assert r.returncode == 2
    assert "the database URL is not one Leoflow can use" in r.stderr
    project = tmp_path / "dags"
    project.mkdir()
    r = leoflow("lite", str(project), "--database", url, "--port", "0", home=tmp_path)
    assert r.returncode == 2
    assert "sqlite:///" in r.stderr
    assert not (tmp_path / "dev" / "lite.db").exists()


def test_check_and_migrate_on_postgresql_never_print_the_password(tmp_path, pg_cluster):
    url = pg_cluster.new_database(tcp=True)
    assert "leoflow-test-password" in url
    r = leoflow("db", "check", "--database", url, home=tmp_path)
    assert r.returncode == 1, r
    assert "reachable: yes (PostgreSQL 15" in r.stdout or "reachable: yes (PostgreSQL" in r.stdout
    assert re.search(r"pending migrations: \d+ \(run `leoflow db migrate`\)", r.stdout), r.stdout
    r = leoflow("db", "migrate", "--database", url, home=tmp_path)
    assert r.returncode == 0, r
    r = leoflow("db", "check", home=tmp_path, env={"LEOFLOW_DATABASE_URL": url})
    assert r.returncode == 0, r
    assert "pending migrations: none" in r.stdout
    for out in (r.stdout, r.stderr):
        assert "leoflow-test-password" not in out
    assert ":***@127.0.0.1" in r.stdout


def test_a_postgresql_server_that_is_not_there_is_unreachable_not_a_crash(tmp_path):
    url = f"postgresql://leoflow:hunter2-secret@/leoflow?host={tmp_path}&port=1&connect_timeout=2"
    r = leoflow("db", "check", "--database", url, home=tmp_path)
    assert r.returncode == 1
    assert "reachable: no" in r.stdout
    assert "hunter2-secret" not in r.stdout + r.stderr


def _normalised(body):
    """The API's answer with what differs between two servers (ids, times,
    paths of the temporary folders) replaced by a placeholder."""
    text = json.dumps(body, sort_keys=True)
    text = re.sub(r'"\d{4}-\d\d-\d\dT[0-9:.]+Z"', '"<time>"', text)
    text = re.sub(r'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"', '"<uuid>"', text)
    text = re.sub(r'manual__[0-9T:.+-]+', 'manual__<time>', text)
    text = re.sub(r'"(last_parse_duration|duration|pid|id)": [0-9.e-]+', r'"\1": 0', text)
    text = re.sub(r'/tmp/[^"]*?/dags', '<dags>', text)
    text = re.sub(r'"file_token": "[0-9a-f]+"', '"file_token": "<token of the path>"', text)
    return json.loads(text)


def _run_and_read(lite):
    wait_registered(lite, "store_check")
    run_id = trigger(lite, "store_check")["dag_run_id"]
    run = wait_run(lite, "store_check", run_id)
    answers = {}
    for path in ["/api/v2/dags", "/api/v2/dags/store_check", "/api/v2/dags/store_check/dagRuns",
                 f"/api/v2/dags/store_check/dagRuns/{run_id}/taskInstances",
                 f"/api/v2/dags/store_check/dagRuns/{run_id}/taskInstances/load/xcomEntries/return_value",
                 "/api/v2/dagTags", "/api/v2/dags/store_check/dagVersions", "/api/v2/importErrors"]:
        status, body = lite.get(path)
        assert status == 200, (path, status, body)
        answers[path.replace(run_id, "<run>")] = _normalised(body)
    return run, answers


def test_lite_on_postgresql_runs_a_dag_and_answers_as_on_sqlite(tmp_path, pg_cluster):
    results = {}
    for backend in ("sqlite", "postgresql"):
        dags = tmp_path / backend / "dags"
        write_project(dags, "store_check", DAG)
        args = ["--database", pg_cluster.new_database()] if backend == "postgresql" else []
        with Lite(dags, args=args, home=str(tmp_path / backend / "home")) as lite:
            run, answers = _run_and_read(lite)
            assert run["state"] == "success", lite.output()
            if backend == "postgresql":
                assert "store: postgresql://" in lite.output()
                assert not os.path.exists(os.path.join(lite.home, "dev", "lite.db"))
            results[backend] = answers
    for path, answer in results["sqlite"].items():
        assert json.dumps(results["postgresql"][path], indent=1, sort_keys=True) == \
            json.dumps(answer, indent=1, sort_keys=True), path
