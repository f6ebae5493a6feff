"""The API's response cache against a real `leoflow lite`: a repeated read
carries the same ETag and a matching If-None-Match gets 304; a write (the
API's own, or `leoflow lite forget` from another process) is seen by the
next read; the login still guards every cached answer."""
import textwrap

from lite import Lite, http_call, leoflow, setup_user, wait_until
from runs import wait_settled

DAG = textwrap.dedent('''\
    from datetime import datetime
    from airflow.sdk import dag, task

    @dag(schedule=None, start_date=datetime(2025, 1, 1))
    def cached():
        @task
        def hello():
            print("hello")

        hello()

    cached()
    ''')


def make_dags(tmp_path, *names):
    root = tmp_path / "dags"
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "dag.py").write_text(DAG.replace("def cached", f"def {name}").replace("cached()", f"{name}()"))
    return root


def test_a_write_is_seen_by_the_next_read_and_etags_revalidate(tmp_path):
    dags = make_dags(tmp_path, "cached")
    with Lite(dags) as lite:
        wait_settled(lite, "cached")
        status, headers, first = lite.call("GET", "/api/v2/dags/cached")
        assert status == 200 and first["is_paused"] is False
        etag = headers["ETag"]
        assert etag and headers["Cache-Control"] == "private, no-cache"
        status, again_headers, again = lite.call("GET", "/api/v2/dags/cached")
        assert again == first and again_headers["ETag"] == etag

        status, headers, body = lite.call("GET", "/api/v2/dags/cached", headers={"If-None-Match": etag})
        assert status == 304 and body is None and headers["ETag"] == etag

        # The write commits; the very next read is built anew.
        status, _ = lite.request("PATCH", "/api/v2/dags/cached", {"is_paused": True})
        assert status == 200
        status, headers, paused = lite.call("GET", "/api/v2/dags/cached", headers={"If-None-Match": etag})
        assert status == 200 and paused["is_paused"] is True
        assert headers["ETag"] != etag
        status, listing = lite.get("/api/v2/dags?paused=true")
        assert [d["dag_id"] for d in listing["dags"]] == ["cached"]


def test_forget_from_another_process_is_seen_at_once(tmp_path):
    dags = make_dags(tmp_path, "kept", "forgotten")
    with Lite(dags) as lite:
        wait_until(lambda: lite.get("/api/v2/dags")[1]["total_entries"] == 2, message=lite.output)
        assert lite.get("/api/v2/dags/forgotten")[0] == 200
        r = leoflow("lite", "forget", "forgotten", home=lite.home)
        assert r.returncode == 0, r.stdout + r.stderr
        assert lite.get("/api/v2/dags/forgotten")[0] == 404
        assert [d["dag_id"] for d in lite.get("/api/v2/dags")[1]["dags"]] == ["kept"]


def test_the_login_guards_cached_answers(tmp_path):
    home = tmp_path / "home"
    setup_user(home, "admin", "admin-pass-1234")
    setup_user(home, "viewer", "viewer-pass-1234", role="viewer")
    dags = make_dags(tmp_path, "cached")
    with Lite(dags, home=str(home)) as lite:
        lite.login("admin", "admin-pass-1234")
        wait_settled(lite, "cached")
        status, headers, body = lite.call("GET", "/api/v2/dags/cached",
                                          headers={"Authorization": f"Bearer {lite.token}"})
        assert status == 200
        etag = headers["ETag"]
        # Kept for the admin, still refused without a token, with or without its tag.
        assert http_call(lite.base, "GET", "/api/v2/dags/cached")[0] == 401
        assert http_call(lite.base, "GET", "/api/v2/dags/cached", headers={"If-None-Match": etag})[0] == 401
        viewer = Lite.__new__(Lite)
        viewer.base, viewer.token = lite.base, None
        viewer.login("viewer", "viewer-pass-1234")
        status, _, seen = http_call(lite.base, "GET", "/api/v2/dags/cached",
                                    headers={"Authorization": f"Bearer {viewer.token}"})
        assert status == 200 and seen == body
