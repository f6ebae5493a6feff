"""Every route in the server's endpoint table, with a login configured, sent bad
credentials: none, an expired token, a token signed with another secret,
`alg: none`, a tampered payload under the original signature, malformed
Authorization headers, and (for changes) a session cookie without the CSRF
header or a viewer's token. Each must be refused (401, or 403 for a valid
identity without the right), serve nothing but {"detail": ...}, and change
nothing. Tokens are built here with the standard library only."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import time
import urllib.parse

import pytest

from lite import Lite, http_call, setup_user, wait_until
from runs import write_project
from sweep_routes import ROUTES, snapshot, difference

ADMIN_PW = "admin-sweep-4471"
VIEWER_PW = "viewer-sweep-8812"
DAG = '''
    from datetime import datetime
    from airflow.sdk import dag, task

    @dag(schedule=None, start_date=datetime(2025, 1, 1))
    def sweep():
        @task
        def make():
            return 1
        make()

    sweep()
'''
GUARDED = [r for r in ROUTES if not r.public]
SAFE = ("GET", "HEAD")


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key, header, payload):
    head = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    return head + "." + (b64(hmac.new(key, head.encode(), hashlib.sha256).digest()) if key else "")


def secret_key(home):
    with open(os.path.join(home, "config.yaml")) as f:
        return bytes.fromhex(re.search(r"secret_key: ([0-9a-f]{64})", f.read()).group(1))


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    home = str(tmp_path_factory.mktemp("home"))
    setup_user(home, "admin", ADMIN_PW)
    setup_user(home, "viewer", VIEWER_PW, role="viewer")
    dags = tmp_path_factory.mktemp("dags")
    write_project(dags, "sweep", DAG)
    (dags / "sweep" / "notes.txt").write_text("notes\n")
    (dags / "sweep" / "folder").mkdir()
    with Lite(dags, home=home) as server:
        server.dags = dags
        admin = server.login("admin", ADMIN_PW)
        server.token = None  # every request below says which credentials it sends
        viewer = server.request("POST", "/auth/token", {"username": "viewer", "password": VIEWER_PW})[1]
        auth = {"Authorization": "Bearer " + admin}
        wait_until(lambda: server.call("GET", "/api/v2/dags/sweep", headers=auth)[0] == 200,
                   message=server.output)
        key = secret_key(home)
        head, payload, signature = admin.split(".")
        claims = json.loads(unb64(payload))
        now = int(time.time())
        hs = {"alg": "HS256", "typ": "JWT"}
        fresh = dict(claims, iat=now, nbf=now, exp=now + 3600)
        server.admin = admin
        server.viewer = viewer["access_token"]
        server.bad = {
            "no credentials": {},
            "expired": {"Authorization": "Bearer " + sign(key, hs, dict(claims, iat=now - 100, nbf=now - 100,
                                                                        exp=now - 10))},
            "another secret": {"Authorization": "Bearer " + sign(b"another-secret-" * 3, hs, fresh)},
            "alg none": {"Authorization": "Bearer " + sign(None, {"alg": "none", "typ": "JWT"}, fresh)},
            "alg none, no dot": {"Authorization": "Bearer " + sign(None, {"alg": "none"}, fresh)[:-1]},
            "tampered payload": {"Authorization": "Bearer " + ".".join(
                [head, b64(json.dumps(dict(claims, exp=now + 10 ** 6)).encode()), signature])},
            "tampered header": {"Authorization": "Bearer " + ".".join(
                [b64(json.dumps({"alg": "HS512", "typ": "JWT"}).encode()), payload, signature])},
            "truncated signature": {"Authorization": "Bearer " + admin[:-4]},
            "bearer, no token": {"Authorization": "Bearer"},
            "bearer, blank": {"Authorization": "Bearer    "},
            "basic scheme": {"Authorization": "Basic " + base64.b64encode(f"admin:{ADMIN_PW}".encode()).decode()},
            "token scheme": {"Authorization": "Token " + admin},
            "two parts": {"Authorization": "Bearer a.b"},
            "four parts": {"Authorization": "Bearer " + admin + ".x"},
            "junk after token": {"Authorization": "Bearer " + admin + " junk"},
            "overlong": {"Authorization": "Bearer " + "x" * 10000},
            "not base64": {"Authorization": "Bearer !!!.@@@.###"},
            "cookie, bad token": {"Cookie": "leoflow_session=" + sign(b"another-secret-" * 3, hs, fresh)},
        }
        server.cookie = {"Cookie": f"leoflow_session={admin}"}
        server.ids = {
            "dag_id": "sweep", "dag_run_id": "no_run", "task_id": "make", "map_index": "-1",
            "task_try_number": "1", "try_number": "1", "xcom_key": "return_value", "version_number": "1",
            "import_error_id": "1", "event_log_id": "1", "variable_key": "no_var", "connection_id": "no_conn",
            "pool_name": "default_pool",
            "file_token": server.call("GET", "/api/v2/dags/sweep", headers=auth)[2]["file_token"],
            "page": "dags", "file": "index.js", **{f"p{i}": "sweep" for i in range(1, 7)},
        }
        server.before = snapshot(home, dags)
        yield server


def request_for(lite, route):
    path = route.path(lite.ids) + ("?" + route.base_query if route.base_query else "")
    body = json.dumps(route.valid_body()) if route.body is not None else None
    return path, body


def status_only(lite, method, path, headers):
    """The status of a request whose answer may be a stream that never ends."""
    url = urllib.parse.urlsplit(lite.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, headers={"Accept": "application/json", **headers})
        return conn.getresponse().status
    finally:
        conn.close()


def refusal_problem(status, headers, body, expected, method):
    if status != expected:
        return f"{status} (expected {expected}): {str(body)[:200]}"
    if expected == 401 and headers.get("WWW-Authenticate") != "Bearer":
        return "401 without WWW-Authenticate: Bearer"
    if method == "HEAD":
        return None if not body else f"HEAD answered with a body: {str(body)[:200]}"
    if not isinstance(body, dict) or set(body) != {"detail"} or not isinstance(body["detail"], str):
        return f"serves more than {{'detail': ...}}: {str(body)[:200]}"
    return None


def send_and_check(lite, route, headers, expected):
    path, body = request_for(lite, route)
    hdrs = dict(headers, **({"Content-Type": "application/json"} if body is not None else {}))
    status, resp_headers, answer = http_call(lite.base, route.method, path, body=body, headers=hdrs, timeout=30)
    problem = refusal_problem(status, resp_headers, answer, expected, route.method)
    after = snapshot(lite.home, lite.dags)
    if after != lite.before:
        changed = difference(lite.before, after)
        lite.before = after
        problem = f"state changed: {changed}; {problem or status}"
    return problem, answer


def route_id(route):
    return f"{route.method} {route.pattern}"


@pytest.mark.parametrize("route", GUARDED, ids=route_id)
def test_bad_credentials_are_refused_and_serve_nothing(lite, route):
    failures = []
    for name, headers in lite.bad.items():
        problem, _ = send_and_check(lite, route, headers, 401)
        if problem:
            failures.append(f"{name}: {problem}")
    if route.method not in SAFE:
        # A valid identity without the right: a viewer, or a session cookie
        # without the CSRF header (what a cross-site form sends).
        for name, headers, detail in [("viewer token", {"Authorization": "Bearer " + lite.viewer}, "viewer"),
                                      ("cookie without CSRF header", lite.cookie, "CSRF")]:
            problem, answer = send_and_check(lite, route, headers, 403)
            if not problem and detail not in answer["detail"]:
                problem = f"403 does not say why: {answer}"
            if problem:
                failures.append(f"{name}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", [r for r in GUARDED if r.method in SAFE], ids=route_id)
def test_the_same_reads_are_served_with_a_valid_token(lite, route):
    # The control: a refusal above is the credentials', not the route's.
    path, _ = request_for(lite, route)
    status = status_only(lite, route.method, path, {"Authorization": "Bearer " + lite.admin})
    assert status not in (401, 403), status


@pytest.mark.parametrize("path", ["/", "/ide", "/dags/sweep/grid", "/dags"])
def test_pages_without_a_session_get_the_sign_in_page_only(lite, path):
    status, headers, body = http_call(lite.base, "GET", path, headers={"Accept": "text/html"})
    assert status == 401 and headers["Content-Type"].startswith("text/html")
    assert 'action="/auth/login"' in body
    assert "/assets/" not in body  # not the application's page


def test_the_event_stream_is_refused_without_a_token(lite):
    for name, headers in lite.bad.items():
        assert status_only(lite, "GET", "/ui/events", headers) == 401, name
    assert status_only(lite, "GET", "/ui/events", {"Authorization": "Bearer " + lite.admin}) == 200


# /auth/me itself answers 401 to a request without a login, as the gate would.
OPEN = [r for r in ROUTES if r.public and r.pattern != "/auth/me"]


@pytest.mark.parametrize("route", OPEN, ids=route_id)
def test_what_the_table_calls_open_passes_the_gate_without_credentials(lite, route):
    # The other half of the table's auth column (GUARDED routes are refused above).
    path, body = request_for(lite, route)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    status, resp_headers, answer = http_call(lite.base, route.method, path, body=body, headers=headers, timeout=30)
    assert not (status == 401 and answer == {"detail": "Not authenticated"}), (status, answer)


def test_every_route_in_the_table_is_in_the_sweep():
    from sweep_routes import coverage_problems
    assert coverage_problems() == []
    public = sorted(r.pattern for r in ROUTES if r.public)
    assert public == sorted(["/api/v2/version", "/api/v2/monitor/health", "/auth/token", "/auth/login",
                             "/auth/login", "/auth/logout", "/auth/logout", "/auth/me", "/api/v2/auth/login",
                             "/api/v2/auth/logout"])
