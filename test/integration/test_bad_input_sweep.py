"""Every route in the server's endpoint table, sent bad input: malformed and non-object
JSON bodies, wrong types and huge numbers in each field, unknown fields,
overlong strings, invalid path ids and query values. Each must be refused
with a 4xx carrying Airflow's {"detail": ...}, leave the server up, and
change nothing (every table of the store, the DAG folder, the task logs)."""
import json
import os
from collections import Counter
from urllib.parse import quote, unquote

import pytest

from lite import Lite, http_call, leoflow, q, wait_until
from runs import trigger, wait_registered, wait_run, write_project
from sweep_routes import BAD_QUERY, ROUTES, TABLE, coverage_problems, difference, snapshot

SWEEP_DAG = '''
    from datetime import datetime
    from airflow.sdk import dag, task

    @dag(schedule=None, start_date=datetime(2025, 1, 1), tags=["sweep"])
    def sweep():
        @task
        def make():
            return {"n": 1}

        @task
        def use(value):
            return value["n"]

        use(make())

    sweep()
'''

MB = 1024 * 1024
# Cases the server still gets wrong, with why they are not fixed here.
KNOWN_GAPS = {}
SENT = Counter()  # bad requests sent, by kind


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    dags = tmp_path_factory.mktemp("dags")
    project = write_project(dags, "sweep", SWEEP_DAG)
    (project / "notes.txt").write_text("notes\n")
    (project / "folder").mkdir()
    (project / "folder" / "keep.txt").write_text("keep\n")
    write_project(dags, "broken", "import no_such_module_anywhere\n")
    with Lite(dags) as server:
        server.dags = dags
        wait_registered(server, "sweep")
        run = trigger(server, "sweep", dag_run_id="sweep_run")
        wait_run(server, "sweep", run["dag_run_id"])
        assert server.request("POST", "/api/v2/variables", {"key": "sweep_var", "value": "v"})[0] == 201
        assert server.request("POST", "/api/v2/connections",
                              {"connection_id": "sweep_conn", "conn_type": "http"})[0] == 201
        errors = wait_until(lambda: server.get("/api/v2/importErrors")[1]["import_errors"], message=server.output)
        events = server.get("/api/v2/eventLogs?limit=1")[1]["event_logs"]
        server.ids = {
            "dag_id": "sweep", "dag_run_id": "sweep_run", "task_id": "make", "map_index": "-1",
            "task_try_number": "1", "try_number": "1", "xcom_key": "return_value", "version_number": "1",
            "import_error_id": str(errors[0]["import_error_id"]),
            "event_log_id": str(events[0]["event_log_id"]) if events else "1",
            "variable_key": "sweep_var", "connection_id": "sweep_conn", "pool_name": "default_pool",
            "file_token": server.get("/api/v2/dags/sweep")[1]["file_token"],
            "page": "dags", "file": "index.js", **{f"p{i}": "sweep" for i in range(1, 7)},
        }
        server.before = snapshot(server.home, dags)
        yield server


# --- the cases --------------------------------------------------------------

RAW = "__sweep_raw__"  # replaced by raw JSON text (numbers JSON cannot round-trip through Python)
HUGE = ["1e400", "-1e400", "18446744073709551616", "-9223372036854775809"]
WRONG = {
    "bool": ["perhaps", 2, 1.5, [], {}],
    "str": [5, 1.5, True, [], {}],
    "int": ["abc", 1.5, [], {}],
    "datetime": ["not a date", "2025-13-45T00:00:00Z", True, [], {}],
    "dict": ["x", 5, [], True],
    "task_ids": ["make", 5, {}, [5], [["make", "x"]], [["make", 1, 2]]],
    "enum": ["bogus", 5, True, [], {}],
    "root": [-1, 1.5, True, [], {}, "no_such_root", 7],
    "any": [],
}
MALFORMED = [b"{not json", b"", b'{"a":', b"{} x", b'{"a": 1,}', b'{"k": "\xff\xfe"}', b"[" * 100000,
             b'{"a": NaN}', b"\x00"]
NOT_OBJECTS = [b"[]", b'"text"', b"1", b"null", b"true", b"[{}]"]
def bad_ids(name, valid):
    """Path ids that name nothing (sent as is: already percent-encoded)."""
    ids = {"unknown": "no_such_thing", "dotdot": "..", "slash": "%2F..%2F..%2Fetc%2Fpasswd",
           "nul": q(valid) + "%00x", "long": "x" * 10000, "unicode": q("dâg-✓-日本"), "bad_utf8": "%FF%FE"}
    if name in ("map_index", "task_try_number", "try_number", "version_number", "import_error_id",
                "event_log_id"):
        ids.update(unknown="987654", overflow="99999999999999999999", fraction="1.5")
    return ids


def with_query(url, base_query, **values):
    """url?base_query with the given parameters replaced or added (values
    percent-encoded, except escapes already in them)."""
    pairs = [p.split("=", 1) for p in base_query.split("&") if p]
    pairs = [(k, v) for k, v in pairs if k not in values] + [(k, quote(v, safe="%/")) for k, v in values.items()]
    return url + ("?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")


def body_text(body):
    text = json.dumps(body)
    for raw in HUGE:
        text = text.replace(json.dumps(RAW + raw), raw)
    return text.encode()


def cases(route, ids):
    """(kind, label, method, path, body bytes or None, expectation) for one
    route. Expectations: "refused" (a 4xx with detail), "spa" (the UI's page
    or a 404), "tolerated" (anything but a 5xx)."""
    base_path = with_query(route.path(ids), route.base_query)
    valid = body_text(route.valid_body()) if route.body is not None else None
    out = []
    # Path ids.
    for name in route.params():
        for label, bad in bad_ids(name, ids[name]).items():
            path = with_query(route.path(ids, **{name: bad}), route.base_query)
            expect = "spa" if route.spa else "tolerated" if name in route.filter_ids else "refused"
            out.append(("ids", f"{name}={label}", route.method, path, valid, expect))
    # Query parameters.
    for name, kind in route.query.items():
        for bad in BAD_QUERY[kind]:
            path = with_query(route.path(ids), route.base_query, **{name: bad})
            out.append(("query", f"{name}={bad[:40]}", route.method, path, valid, "refused"))
    if (route.method in ("GET", "HEAD") or route.public) and not route.stream:
        path = with_query(route.path(ids), route.base_query, sweep_unknown="%00%FF")
        out.append(("query", "unknown parameter", route.method, path, None, "spa" if route.spa else "tolerated"))
    if route.body is None:
        return out
    # Bodies.
    for raw in MALFORMED:
        out.append(("body", f"malformed {raw[:20]!r}", route.method, base_path, raw, "refused"))
    for raw in NOT_OBJECTS:
        out.append(("body", f"not an object {raw!r}", route.method, base_path, raw, "refused"))
    body = route.valid_body()
    if route.unknown_fields_refused:
        out.append(("body", "unknown field", route.method, base_path,
                    body_text(dict(body, sweep_unknown_field=1)), "refused"))
    for name, f in route.body.items():
        wrong = list(WRONG[f.kind]) + ([] if f.nullable else [None])
        if f.kind != "any":
            wrong += [RAW + raw for raw in HUGE]
        if f.max_len is not None:
            wrong.append("x" * max(MB, f.max_len + 1))
        if (route.method, route.pattern, name) in KNOWN_GAPS:
            continue
        for value in wrong:
            label = f"{name}={json.dumps(value)[:40]}"
            out.append(("body", label, route.method, base_path, body_text(dict(body, **{name: value})), "refused"))
    return out


# --- the checks -------------------------------------------------------------

def check(lite, method, path, body, expect):
    """What is wrong with the answer to one bad request, or None."""
    headers = {"Host": lite.base.split("//", 1)[1]}
    if body is not None:
        headers["Content-Type"] = "application/json"
    status, resp_headers, answer = http_call(lite.base, method, path, body=body, headers=headers)
    problem = None
    if status >= 500:
        problem = f"{status} {str(answer)[:200]}"
    elif expect == "refused" and not 400 <= status < 500:
        problem = f"not refused: {status} {str(answer)[:200]}"
    elif expect == "refused" and method != "HEAD":
        problem = detail_problem(status, answer)
    elif expect == "spa" and status not in (200, 400, 404):
        problem = f"a UI page answered {status}"
    health = http_call(lite.base, "GET", "/api/v2/monitor/health")[0]
    if health != 200:
        return f"server not healthy after the request ({health}); {problem or ''}"
    after = snapshot(lite.home, lite.dags)
    if after != lite.before:
        changed = difference(lite.before, after)
        lite.before = after  # one failure, not every later case too
        return f"state changed: {changed}; {problem or status}"
    return problem


def detail_problem(status, answer):
    """Airflow's error shapes: 422 is HTTPValidationError (a list of
    {loc, msg, type}); other errors HTTPExceptionResponse (a string or object)."""
    if not isinstance(answer, dict) or "detail" not in answer:
        return f"{status} without a JSON detail: {str(answer)[:300]}"
    if set(answer) - {"detail", "etag"}:
        return f"{status} serves more than the error: {sorted(answer)}"
    detail = answer["detail"]
    if status == 422:
        ok = isinstance(detail, list) and detail and all(
            isinstance(e, dict) and isinstance(e.get("loc"), list) and isinstance(e.get("msg"), str)
            and isinstance(e.get("type"), str) for e in detail)
        return None if ok else f"422 detail is not a validation list: {str(detail)[:300]}"
    return None if isinstance(detail, (str, dict)) and detail else f"{status} detail is empty or odd: {detail!r}"


def route_id(route):
    return f"{route.method} {route.pattern}"


def test_the_sweep_covers_every_route_in_the_endpoint_table():
    assert coverage_problems() == []
    # The table is the server's: the routes the UI and Airflow's clients use are in it.
    keys = {r.key for r in ROUTES}
    assert {("GET", "/api/v2/dags"), ("PATCH", "/api/v2/dags/{dag_id}"), ("GET", "/ui/events"),
            ("PUT", "/api/v2/ide/file"), ("POST", "/auth/token"), ("GET", "/{page}")} <= keys


def test_the_table_shows_the_execution_api_on_its_own_listener_with_try_tokens():
    execution = [e for e in TABLE if e["listener"] == "execution"]
    assert execution and all(e["path"].startswith("/execution/") for e in execution)
    assert {e["auth"] for e in execution if e["path"] != "/execution/health"} == {"try_token"}
    assert not [e for e in TABLE if e["listener"] == "main" and e["path"].startswith("/execution/")]


# Query parameters Lite takes where Airflow does not: PATCH /dags reads the
# same filters as GET /dags.
LITE_ONLY_QUERY = {("PATCH", "/api/v2/dags"): {"dag_display_name_pattern", "has_import_errors", "bundle_name"}}


def airflow_openapi():
    """Airflow's published OpenAPI document (shared/airflow-reference, beside
    the clone or the worktree), or None."""
    repo = os.path.join(os.path.dirname(__file__), "..", "..")
    for shared in (os.path.join(repo, "..", "shared"), os.path.join(repo, "..", "..", "shared")):
        path = os.path.join(shared, "airflow-reference", "openapi-v2.json")
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
    return None


def test_the_table_speaks_airflows_contract():
    spec = airflow_openapi()
    if spec is None:
        pytest.skip("shared/airflow-reference/openapi-v2.json is not beside this checkout")
    problems = []
    for e in TABLE:
        if e["listener"] != "main" or not e["path"].startswith("/api/v2/") or e["path"].startswith("/api/v2/ide/"):
            continue
        op = spec["paths"].get(e["path"], {}).get(e["method"].lower())
        if op is None:
            problems.append(f"{e['method']} {e['path']}: not in Airflow's API")
            continue
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        body = schema.get("$ref", "").rsplit("/", 1)[-1] or None
        if body != e["body"]:
            problems.append(f"{e['method']} {e['path']}: body {e['body']}, Airflow's {body}")
        names = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
        extra = {q["name"] for q in e["query"]} - names - LITE_ONLY_QUERY.get((e["method"], e["path"]), set())
        if extra:
            problems.append(f"{e['method']} {e['path']}: query {sorted(extra)} not in Airflow's")
    assert problems == []


def test_the_routes_command_refuses_a_request_for_nothing(tmp_path):
    for args in ([], ["--json", "--events-json"], ["--json", "extra"]):
        r = leoflow("routes", *args, home=tmp_path)
        assert r.returncode == 2 and "--events-json" in r.stderr, (args, r.stderr)
        assert r.stdout == ""


def test_coverage_fails_for_a_route_the_sweep_cannot_cover():
    # What a new registration without samples looks like in the table.
    new = {"listener": "main", "method": "POST", "path": "/api/v2/backfills/{backfill_id}", "path_params": ["backfill_id"],
           "query": [{"name": "when", "type": "duration", "required": False}], "body": "BackfillPostBody",
           "auth": "login"}
    problems = coverage_problems([new])
    assert any("BackfillPostBody" in p for p in problems)
    assert any("duration" in p for p in problems)
    assert any("backfill_id" in p for p in problems)


@pytest.mark.parametrize("kind", ["ids", "query", "body"])
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_bad_input_is_refused_and_changes_nothing(lite, route, kind):
    failures = []
    for case_kind, label, method, path, body, expect in cases(route, lite.ids):
        if case_kind != kind:
            continue
        SENT[kind] += 1
        problem = check(lite, method, path, body, expect)
        if problem:
            failures.append(f"{label}: {problem[:600]}")
    assert not failures, "\n".join(failures[:25])


# listMapped answers 404 for the sweep DAG's unmapped task: nothing to page.
LISTS = [r for r in ROUTES if r.method == "GET" and {"limit", "offset"} <= set(r.query)
         and not r.pattern.endswith("/listMapped")]


@pytest.mark.parametrize("route", LISTS, ids=route_id)
def test_the_largest_limit_and_offset_page_like_small_ones(lite, route):
    # limit + offset must not overflow: the largest limit gives the same page
    # as the default one (every listing here is shorter than 50).
    path = with_query(route.path(lite.ids), route.base_query)
    for offset in ("0", "1"):
        status, _, small = http_call(lite.base, "GET", with_query(path, "", offset=offset))
        assert status == 200, small
        status, _, large = http_call(lite.base, "GET", with_query(path, "", offset=offset,
                                                                  limit="9223372036854775807"))
        assert status == 200, large
        assert large == small
    status, _, far = http_call(lite.base, "GET", with_query(path, "", offset="9223372036854775807"))
    assert status == 200 and far["total_entries"] == small["total_entries"]
    assert all(v == [] for k, v in far.items() if k != "total_entries")


@pytest.mark.parametrize("path", ["/auth/login", "/api/v2/auth/login"])
@pytest.mark.parametrize("next_page", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                       "%2F%2Fevil.example", "/%0d%0aSet-Cookie:x=1"])
def test_sign_in_redirects_stay_on_this_server(lite, path, next_page):
    status, headers, _ = http_call(lite.base, "GET", f"{path}?next={next_page}")
    assert status in (303, 307)
    location = headers["Location"]
    target = location.split("next=", 1)[1] if location.startswith("/auth/login?next=") else location
    target = unquote(target)
    assert target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target, location


def test_every_route_was_swept():
    # Every route but the event stream (no input to spoil) gets bad requests.
    swept = {r.key for r in ROUTES if not r.stream and cases(r, _ids_for_count())}
    assert swept == {r.key for r in ROUTES if not r.stream}
    print(f"\nbad-input sweep: {len(ROUTES)} routes, {sum(SENT.values())} bad requests ({dict(SENT)})")


def _ids_for_count():
    return {p: "1" for r in ROUTES for p in r.params()}
