"""Bad input gets a clear answer and changes nothing: API errors in
Airflow's shapes, and DAG files that hang, flood, crash or lie about
their output become import errors while the server keeps serving."""
import http.client
import textwrap
import urllib.parse

import pytest

from lite import Lite, wait_until

OK_DAG = textwrap.dedent('''\
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.empty import EmptyOperator
    with DAG("ok_dag", schedule=None):
        EmptyOperator(task_id="only")
    ''')


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    dags = tmp_path_factory.mktemp("dags")
    (dags / "ok").mkdir()
    (dags / "ok" / "dag.py").write_text(OK_DAG)
    with Lite(dags, args=["--parse-timeout", "3"]) as server:
        server.dags = dags
        wait_until(lambda: server.get("/api/v2/dags/ok_dag")[0] == 200, message=server.output)
        yield server


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/api/v2/no/such/path", 404),
    ("GET", "/api/v2/dags/missing_dag", 404),
    ("GET", "/api/v2/dags/missing_dag/details", 404),
    ("GET", "/api/v2/dags/ok_dag/tasks/missing", 404),
    ("GET", "/api/v2/dags/ok_dag/dagVersions/99", 404),
    ("GET", "/api/v2/importErrors/12345", 404),
    ("DELETE", "/api/v2/importErrors", 405),
    ("PUT", "/api/v2/dags/ok_dag", 405),
    ("GET", "/api/v2/dags?limit=abc", 422),
    ("GET", "/api/v2/dags?offset=-5", 422),
    ("GET", "/api/v2/dags?paused=perhaps", 422),
    ("GET", "/api/v2/dags?tags_match_mode=some", 422),
    ("GET", "/api/v2/dags?order_by=password", 400),
    ("GET", "/api/v2/dags/ok_dag/dagVersions/one", 422),
    ("GET", "/api/v2/importErrors/x", 422),
])
def test_errors_carry_detail(lite, method, path, status):
    got, body = lite.request(method, path)
    assert got == status
    assert isinstance(body, dict) and "detail" in body
    if status == 422:
        assert body["detail"][0]["loc"][0] in ("query", "path")


@pytest.mark.parametrize("body", [b"{not json", b"[true]", b'{"is_paused": "yes"}', b'{"is_paused": true, "x": 1}', b"{}"])
def test_bad_patch_bodies_change_nothing(lite, body):
    status, answer = lite.request("PATCH", "/api/v2/dags/ok_dag", raw=body)
    assert status in (400, 422) and "detail" in answer
    assert lite.get("/api/v2/dags/ok_dag")[1]["is_paused"] is False


@pytest.mark.parametrize("run_id", ["a/b", "..", ".", "", "tab\there", "new\nline", "spa ce", "x" * 251, "é"])
def test_run_ids_that_could_not_name_a_folder_are_refused(lite, run_id):
    before = lite.get("/api/v2/dags/ok_dag/dagRuns")[1]["total_entries"]
    status, answer = lite.request("POST", "/api/v2/dags/ok_dag/dagRuns",
                                  {"dag_run_id": run_id, "logical_date": None})
    assert status == 400 and "does not match the pattern" in answer["detail"]
    assert lite.get("/api/v2/dags/ok_dag/dagRuns")[1]["total_entries"] == before


def test_oversized_body_is_413(lite):
    url = urllib.parse.urlsplit(lite.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("PATCH", "/api/v2/dags/ok_dag")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(64 * 1024 * 1024))
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 413
    assert b"detail" in resp.read()


def test_pause_round_trip(lite):
    status, dag = lite.request("PATCH", "/api/v2/dags/ok_dag", {"is_paused": True})
    assert status == 200 and dag["is_paused"] is True
    assert lite.get("/api/v2/dags?paused=true")[1]["total_entries"] == 1
    status, dag = lite.request("PATCH", "/api/v2/dags/ok_dag", {"is_paused": False})
    assert status == 200 and dag["is_paused"] is False


HOSTILE = {
    "hangs": ("import time\ntime.sleep(600)\n", "timed out after 3 s"),
    "floods": ("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", "output exceeded"),
    "segfaults": ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", "killed by signal 11"),
    "exits": ("import sys\nsys.exit(3)\n", "sys.exit\\(3\\)"),
    "bad_import": ("import no_such_module_anywhere\n", "ModuleNotFoundError"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_dag_files_become_import_errors(lite, name):
    source, expected = HOSTILE[name]
    (lite.dags / name).mkdir()
    (lite.dags / name / "dag.py").write_text(source)

    def error_for():
        body = lite.get("/api/v2/importErrors?filename_pattern=" + name)[1]
        return body["import_errors"] if body["total_entries"] else None

    errors = wait_until(error_for, timeout=30, message=lite.output)
    assert errors[0]["filename"].endswith(f"{name}/dag.py")
    lite.wait_for_line(expected)
    # The server is still serving.
    assert lite.get("/api/v2/dags/ok_dag")[0] == 200


def test_clearing_an_unknown_run_is_404(lite):
    status, answer = lite.request("POST", "/api/v2/dags/ok_dag/clearTaskInstances",
                                  {"dag_run_id": "no_such_run", "dry_run": False})
    assert status == 404 and "no_such_run" in answer["detail"]


def test_wrong_typed_partition_key_triggers_nothing(lite):
    before = lite.get("/api/v2/dags/ok_dag/dagRuns")[1]["total_entries"]
    status, answer = lite.request("POST", "/api/v2/dags/ok_dag/dagRuns", {"logical_date": None, "partition_key": 7})
    assert status == 422 and answer["detail"][0]["loc"] == ["body", "partition_key"]
    assert lite.get("/api/v2/dags/ok_dag/dagRuns")[1]["total_entries"] == before


@pytest.mark.parametrize("extra", ["last_dag_run_state=queued", "last_dag_run_state=success", ""])
def test_the_largest_dag_limit_pages_like_a_small_one(lite, extra):
    small = lite.get(f"/api/v2/dags?{extra}")[1]
    large = lite.get(f"/api/v2/dags?{extra}&limit=9223372036854775807&offset=0")[1]
    assert large == small
    status, patched = lite.request("PATCH", f"/api/v2/dags?dag_id_pattern=ok_dag&limit=9223372036854775807",
                                   {"is_paused": False})
    assert status == 200 and patched["total_entries"] == 1 and len(patched["dags"]) == 1
