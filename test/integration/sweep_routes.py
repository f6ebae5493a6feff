"""The routes the bad-input and authentication sweeps send requests to:
the server's own endpoint table (`leoflow routes --json`: method, path,
query parameters with their types, body schema, who may call it), plus what
only a test knows (a valid sample body for each schema, a query that makes a
request otherwise valid), a check that every route in the table is covered,
and a snapshot of everything a request could change (the SQLite store, the
DAG folder, the task logs)."""
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import urllib.parse
from dataclasses import dataclass, field

from lite import BIN_DIR

OMIT = object()  # a body field checked for its type but left out of the valid body


@dataclass
class Field:
    kind: str  # bool, str, int, datetime, dict, task_ids, enum, any, root
    sample: object = OMIT
    nullable: bool = True
    max_len: int = None  # longest string accepted; None: free text, no bound


@dataclass
class Route:
    method: str
    pattern: str
    query: dict = field(default_factory=dict)  # name -> type, as the endpoint table says
    body: dict = None  # name -> Field; None: the route reads no body
    schema: str = None  # the body's schema name in the endpoint table
    base_query: str = ""  # what makes a request otherwise valid (e.g. ?dag_id_pattern=)
    unknown_fields_refused: bool = True
    spa: bool = False  # a catch-all serving the UI's page for any name
    public: bool = False  # reachable without a login (as in Airflow)
    stream: bool = False  # an event stream that stays open
    filter_ids: tuple = ()  # path ids that filter a listing (unknown: an empty list, as in Airflow)

    @property
    def key(self):
        return (self.method, self.pattern)

    def params(self):
        return re.findall(r"{(\w+)}", self.pattern)

    def path(self, ids, **override):
        """The pattern with each {name} replaced by override[name] (sent as
        is) or by the valid id (percent-encoded)."""
        def fill(m):
            name = m.group(1)
            if name in override:
                return override[name]
            return quote(ids[name])
        return re.sub(r"{(\w+)}", fill, self.pattern)

    def valid_body(self):
        return {k: f.sample for k, f in (self.body or {}).items() if f.sample is not OMIT}


def quote(text):
    return urllib.parse.quote(str(text), safe="")


def endpoint_table():
    """`leoflow routes --json`: every route of both listeners."""
    out = subprocess.run([os.path.join(BIN_DIR, "leoflow"), "routes", "--json"], capture_output=True,
                         text=True, timeout=60, check=True)
    return json.loads(out.stdout)["routes"]


# Bad values by query parameter type; free text has none.
BAD_QUERY = {
    "text": [],
    "text_list": [],
    "limit": ["-1", "abc", "1.5", "18446744073709551616", "1e3", ""],
    "offset": ["-1", "abc", "1.5", "18446744073709551616", ""],
    "count": ["0", "-1", "abc", "18446744073709551616"],
    "integer": ["abc", "1.5", "-5", "18446744073709551616", "-18446744073709551616", ""],
    "integer_list": ["abc", "1.5", "18446744073709551616"],
    "number": ["fast", "1e400", ""],
    "boolean": ["perhaps", "2", ""],
    "datetime": ["yesterday", "2025-13-45T00:00:00Z", ""],
    "choice": ["bogus", ""],
    "choice_list": ["bogus", ""],
    "order_by": ["password", "-", "dag_id;DROP TABLE dag", "-_unknown"],
    "update_mask": ["password"],
    "root": ["7", "-1", "no_such_root", "18446744073709551616", ""],
    "file_path": ["..", "../..", "/etc/passwd", "sweep/../../..", "sweep%00x", "x" * 10000,
                  "no/such/entry", quote("dâg-✓-日本"), "%FF%FE"],
}

# Path ids the sweeps know how to fill (each fixture gives a valid value for each).
PATH_IDS = {"dag_id", "dag_run_id", "task_id", "map_index", "task_try_number", "try_number", "xcom_key",
            "version_number", "import_error_id", "event_log_id", "variable_key", "connection_id", "pool_name",
            "file_token", "page", "file"} | {f"p{i}" for i in range(1, 7)}

CONNECTION = {
    "connection_id": Field("str", "sweep_conn", False, 200),
    "conn_type": Field("str", "http", False),
    "description": Field("str", "d"),
    "host": Field("str", "h"),
    "login": Field("str", "l"),
    "schema": Field("str", "s"),
    "password": Field("str", "p"),
    "extra": Field("str", "{}"),
    "port": Field("int", 80),
    "team_name": Field("str", OMIT, max_len=50),
}
VARIABLE = {
    "key": Field("str", "sweep_var", False, 250),
    "value": Field("any", "changed"),
    "description": Field("str", "d"),
    "team_name": Field("str", OMIT, max_len=50),
}
POOL = {
    "name": Field("str", "sweep_pool", False, 256),
    "slots": Field("int", 3, False),
    "description": Field("str", "d"),
    "include_deferred": Field("bool", False, False),
    "team_name": Field("str", OMIT, max_len=50),
}
IDE_PATH = 4096  # PATH_MAX

# A valid sample of every body schema in the endpoint table, field by field.
BODIES = {
    "DAGPatchBody": {"is_paused": Field("bool", True, False)},
    "TriggerDAGRunPostBody": {
        "dag_run_id": Field("str", "sweep_new_run", max_len=250),
        "logical_date": Field("datetime", "2030-01-01T00:00:00Z"),
        "data_interval_start": Field("datetime", OMIT),
        "data_interval_end": Field("datetime", OMIT),
        "run_after": Field("datetime", OMIT),
        "conf": Field("dict", {"k": "v"}),
        "note": Field("str", "n"),
        "partition_key": Field("str", OMIT),
    },
    "DAGRunPatchBody": {"state": Field("enum", "failed"), "note": Field("str", "n", max_len=1000)},
    "DAGRunClearBody": {"dry_run": Field("bool", False, False),
                        "only_failed": Field("bool", False, False),
                        "run_on_latest_version": Field("bool", False, False)},
    "ClearTaskInstancesBody": {
        "dry_run": Field("bool", False, False),
        "only_failed": Field("bool", False, False),
        "only_running": Field("bool", False, False),
        "reset_dag_runs": Field("bool", True, False),
        "include_upstream": Field("bool", False, False),
        "include_downstream": Field("bool", False, False),
        "include_future": Field("bool", False, False),
        "include_past": Field("bool", False, False),
        "run_on_latest_version": Field("bool", False, False),
        "prevent_running_task": Field("bool", False, False),
        "task_ids": Field("task_ids", ["make"]),
        "dag_run_id": Field("str", OMIT),
        "start_date": Field("datetime", OMIT),
        "end_date": Field("datetime", OMIT),
    },
    "PatchTaskInstanceBody": {
        "new_state": Field("enum", "failed"),
        "note": Field("str", "n", max_len=1000),
        "include_upstream": Field("bool", False, False),
        "include_downstream": Field("bool", False, False),
        "include_future": Field("bool", False, False),
        "include_past": Field("bool", False, False),
    },
    "XComCreateBody": {"key": Field("str", "sweep_new_key", False),
                       "value": Field("any", 1),
                       "map_index": Field("int", -1, False)},
    "XComUpdateBody": {"value": Field("any", 2), "map_index": Field("int", -1, False)},
    "VariableBody": VARIABLE,
    "ConnectionBody": CONNECTION,
    "PoolBody": POOL,
    "PoolPatchBody": {"name": Field("str", "default_pool"),
                      "slots": Field("int", 128),
                      "include_deferred": Field("bool", False),
                      "description": Field("str", OMIT),
                      "team_name": Field("str", OMIT, max_len=50)},
    "IdeFileSaveBody": {"root": Field("root", 0, False),
                        "path": Field("str", "sweep/dag.py", False, IDE_PATH),
                        "content": Field("str", "# saved\n", False),
                        "etag": Field("str", OMIT),
                        "force": Field("bool", True)},
    "IdeFileCreateBody": {"root": Field("root", 0, False),
                          "path": Field("str", "sweep/new.py", False, IDE_PATH),
                          "content": Field("str", "# new\n")},
    "IdeFolderCreateBody": {"root": Field("root", 0, False),
                            "path": Field("str", "sweep/new_folder", False, IDE_PATH)},
    "IdeRenameBody": {"root": Field("root", 0, False),
                      "path": Field("str", "sweep/notes.txt", False, IDE_PATH),
                      "new_path": Field("str", "sweep/moved.txt", False, IDE_PATH),
                      "overwrite": Field("bool", True)},
    "LoginBody": {"username": Field("str", "admin", False), "password": Field("str", "not-the-password", False)},
}

TI = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}"
# What only a test knows about a route, by (method, path).
EXTRAS = {
    ("PATCH", "/api/v2/dags"): dict(base_query="dag_id_pattern=sweep"),
    ("GET", TI + "/xcomEntries"): dict(filter_ids=("task_id",)),
    # Creating needs a name that is not taken yet.
    ("POST", "/api/v2/variables"): dict(body=dict(VARIABLE, key=Field("str", "sweep_new_var", False, 250))),
    ("POST", "/api/v2/connections"): dict(
        body=dict(CONNECTION, connection_id=Field("str", "sweep_new_conn", False, 200))),
    ("POST", "/api/v2/pools"): dict(body=dict(POOL, name=Field("str", "sweep_new_pool", False, 256))),
    # The IDE names files by query (root, path).
    ("GET", "/api/v2/ide/tree"): dict(base_query="root=0&path=sweep"),
    ("GET", "/api/v2/ide/file"): dict(base_query="root=0&path=sweep/dag.py"),
    ("DELETE", "/api/v2/ide/file"): dict(base_query="root=0&path=sweep/notes.txt"),
    ("DELETE", "/api/v2/ide/folder"): dict(base_query="root=0&path=sweep/folder&recursive=true"),
    ("GET", "/ui/events"): dict(stream=True),
    # Sign-in: Airflow's simple auth manager ignores unknown login fields.
    ("POST", "/auth/token"): dict(unknown_fields_refused=False),
    ("POST", "/auth/login"): dict(unknown_fields_refused=False),
}


def is_page(pattern):
    """The UI's pages: any name under / and /dags/ serves the application."""
    return pattern in ("/", "/{page}") or pattern == "/dags" or pattern.startswith("/dags/")


def build_routes(table):
    """The main listener's routes (the execution API has its own port and its
    checks in test/kubernetes), with their samples and extras."""
    routes = []
    for entry in table:
        if entry["listener"] != "main":
            continue
        key = (entry["method"], entry["path"])
        extra = dict(EXTRAS.get(key, {}))
        schema = entry["body"]
        body = extra.pop("body", None)
        if body is None and schema is not None:
            body = BODIES.get(schema, {})
        routes.append(Route(entry["method"], entry["path"], query={q["name"]: q["type"] for q in entry["query"]},
                            body=body, schema=schema, public=entry["auth"] == "open",
                            spa=is_page(entry["path"]), **extra))
    return routes


TABLE = endpoint_table()
ROUTES = build_routes(TABLE)


def coverage_problems(table=None):
    """What the sweeps cannot cover in the endpoint table: a route with a
    body schema, a query type or a path id they have no sample or bad values
    for, extras naming routes that do not exist, or the same route twice."""
    table = TABLE if table is None else table
    main = [e for e in table if e["listener"] == "main"]
    problems = []
    keys = [(e["method"], e["path"]) for e in main]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        problems.append(f"registered twice: {dupes}")
    for e in main:
        where = f"{e['method']} {e['path']}"
        if e["body"] is not None and e["body"] not in BODIES:
            problems.append(f"{where}: no sample for body schema {e['body']}")
        for q in e["query"]:
            if q["type"] not in BAD_QUERY:
                problems.append(f"{where}: no bad values for query type {q['type']} ({q['name']})")
        for name in e["path_params"]:
            if name not in PATH_IDS:
                problems.append(f"{where}: no valid id for path parameter {name}")
        if e["auth"] not in ("open", "login"):
            problems.append(f"{where}: auth {e['auth']} on the main listener")
    stale = sorted(set(EXTRAS) - set(keys))
    if stale:
        problems.append(f"extras for routes that are not registered: {stale}")
    unused = sorted(set(BODIES) - {e["body"] for e in main})
    if unused:
        problems.append(f"samples for body schemas no route takes: {unused}")
    return problems


def snapshot(home, dags):
    """Every row of every table, and every file (path, size, hash) under
    the DAG folder and the task logs: what a refused request must not change."""
    db = sqlite3.connect(f"file:{os.path.join(home, 'dev', 'lite.db')}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        db.close()
    files = {}
    for top in (str(dags), os.path.join(home, "dev", "logs")):
        for folder, dirs, names in os.walk(top):
            dirs.sort()
            files[folder] = "dir"
            for name in names:
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    files[path] = hashlib.sha256(f.read()).hexdigest()
    return {"rows": rows, "files": files}


def difference(before, after):
    """A short description of what changed between two snapshots."""
    out = []
    for t in sorted(set(before["rows"]) | set(after["rows"])):
        a, b = set(before["rows"].get(t, [])), set(after["rows"].get(t, []))
        if a != b:
            out.append(f"table {t} (-{len(a - b)} +{len(b - a)} rows)")
    fa, fb = before["files"], after["files"]
    out += [f"file {p}" for p in sorted(set(fa) | set(fb)) if fa.get(p) != fb.get(p)][:5]
    return ", ".join(out)
