"""The table of every route the server registers, for the bad-input and
authentication sweeps: what each takes (path ids, query parameters, body
fields with a valid sample), a check that the table matches the
registrations in server/**.cpp, and a snapshot of everything a request could
change (the SQLite store, the DAG folder, the task logs)."""
import hashlib
import os
import re
import sqlite3
import urllib.parse
from dataclasses import dataclass, field

SERVER_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "server")

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
    query: dict = field(default_factory=dict)  # name -> kind
    body: dict = None  # name -> Field; None: the route reads no body
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


LIST = {"limit": "limit", "offset": "offset"}
TI = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}"
RUN = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}"
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
TI_PATCH = {
    "new_state": Field("enum", "failed"),
    "note": Field("str", "n", max_len=1000),
    "include_upstream": Field("bool", False, False),
    "include_downstream": Field("bool", False, False),
    "include_future": Field("bool", False, False),
    "include_past": Field("bool", False, False),
}
CREDENTIALS = {"username": Field("str", "admin", False), "password": Field("str", "not-the-password", False)}
IDE_PATH = 4096  # PATH_MAX

ROUTES = [
    Route("GET", "/api/v2/version", public=True),
    Route("GET", "/api/v2/monitor/health", public=True),
    Route("GET", "/api/v2/dags", {**LIST, "order_by": "order_by", "paused": "bool", "exclude_stale": "bool",
                                  "has_import_errors": "bool", "tags_match_mode": "enum",
                                  "last_dag_run_state": "enum"}),
    Route("PATCH", "/api/v2/dags", {**LIST, "paused": "bool"}, {"is_paused": Field("bool", True, False)},
          base_query="dag_id_pattern=sweep"),
    Route("GET", "/api/v2/dags/{dag_id}"),
    Route("PATCH", "/api/v2/dags/{dag_id}", {"update_mask": "mask"}, {"is_paused": Field("bool", True, False)}),
    Route("DELETE", "/api/v2/dags/{dag_id}"),
    Route("GET", "/api/v2/dags/{dag_id}/details"),
    Route("GET", "/api/v2/dags/{dag_id}/tasks", {"order_by": "order_by"}),
    Route("GET", "/api/v2/dags/{dag_id}/tasks/{task_id}"),
    Route("GET", "/api/v2/dags/{dag_id}/dagVersions", {**LIST, "version_number": "int", "order_by": "order_by"}),
    Route("GET", "/api/v2/dags/{dag_id}/dagVersions/{version_number}"),
    Route("GET", "/api/v2/dagSources/{dag_id}", {"version_number": "int"}),
    Route("GET", "/api/v2/dagTags", {**LIST, "order_by": "order_by"}),
    Route("GET", "/api/v2/dagWarnings", {**LIST, "order_by": "order_by"}),
    Route("PUT", "/api/v2/parseDagFile/{file_token}"),
    Route("GET", "/api/v2/importErrors", {**LIST, "order_by": "order_by"}),
    Route("GET", "/api/v2/importErrors/{import_error_id}"),
    Route("GET", "/api/v2/dags/{dag_id}/dagRuns", {**LIST, "state": "enum", "order_by": "order_by",
                                                   "start_date_gte": "datetime", "run_after_lt": "datetime"}),
    Route("POST", "/api/v2/dags/{dag_id}/dagRuns", body={
        "dag_run_id": Field("str", "sweep_new_run", max_len=250),
        "logical_date": Field("datetime", "2030-01-01T00:00:00Z"),
        "data_interval_start": Field("datetime", OMIT),
        "data_interval_end": Field("datetime", OMIT),
        "run_after": Field("datetime", OMIT),
        "conf": Field("dict", {"k": "v"}),
        "note": Field("str", "n"),
        "partition_key": Field("str", OMIT),
    }),
    Route("GET", RUN),
    Route("PATCH", RUN, {"update_mask": "mask"}, {"state": Field("enum", "failed"),
                                                  "note": Field("str", "n", max_len=1000)}),
    Route("DELETE", RUN),
    Route("POST", RUN + "/clear", body={"dry_run": Field("bool", False, False),
                                        "only_failed": Field("bool", False, False),
                                        "run_on_latest_version": Field("bool", False, False)}),
    Route("POST", "/api/v2/dags/{dag_id}/clearTaskInstances", body={
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
    }),
    Route("GET", RUN + "/taskInstances", {**LIST, "map_index": "int_list", "duration_gte": "float",
                                          "order_by": "order_by", "start_date_gte": "datetime"}),
    Route("GET", TI),
    Route("PATCH", TI, {"map_index": "int"}, TI_PATCH),
    Route("GET", TI + "/listMapped", LIST),
    Route("GET", TI + "/{map_index}"),
    Route("PATCH", TI + "/{map_index}", body=TI_PATCH),
    Route("GET", TI + "/tries", {"map_index": "int"}),
    Route("GET", TI + "/tries/{task_try_number}", {"map_index": "int"}),
    Route("GET", TI + "/{map_index}/tries"),
    Route("GET", TI + "/{map_index}/tries/{task_try_number}"),
    Route("GET", TI + "/logs/{try_number}", {"map_index": "int", "full_content": "bool", "token": "int"}),
    Route("GET", TI + "/xcomEntries", {**LIST, "map_index": "int"}, filter_ids=("task_id",)),
    Route("POST", TI + "/xcomEntries", body={"key": Field("str", "sweep_new_key", False),
                                             "value": Field("any", 1),
                                             "map_index": Field("int", -1, False)}),
    Route("GET", TI + "/xcomEntries/{xcom_key}", {"map_index": "int", "stringify": "bool", "deserialize": "bool"}),
    Route("PATCH", TI + "/xcomEntries/{xcom_key}", body={"value": Field("any", 2),
                                                         "map_index": Field("int", -1, False)}),
    Route("DELETE", TI + "/xcomEntries/{xcom_key}", {"map_index": "int"}),
    Route("GET", "/api/v2/dagStats"),
    Route("GET", "/api/v2/eventLogs", {**LIST, "before": "datetime", "after": "datetime", "order_by": "order_by"}),
    Route("GET", "/api/v2/eventLogs/{event_log_id}"),
    Route("GET", "/api/v2/variables", {**LIST, "order_by": "order_by"}),
    Route("POST", "/api/v2/variables", body=dict(VARIABLE, key=Field("str", "sweep_new_var", False, 250))),
    Route("GET", "/api/v2/variables/{variable_key}"),
    Route("PATCH", "/api/v2/variables/{variable_key}", body=VARIABLE),
    Route("DELETE", "/api/v2/variables/{variable_key}"),
    Route("GET", "/api/v2/connections", {**LIST, "order_by": "order_by"}),
    Route("POST", "/api/v2/connections", body=dict(CONNECTION, connection_id=Field("str", "sweep_new_conn", False, 200))),
    Route("GET", "/api/v2/connections/{connection_id}"),
    Route("PATCH", "/api/v2/connections/{connection_id}", body=CONNECTION),
    Route("DELETE", "/api/v2/connections/{connection_id}"),
    Route("GET", "/api/v2/pools", LIST),
    Route("GET", "/api/v2/pools/{pool_name}"),
    # The IDE names files by query (root, path) or in the body.
    Route("GET", "/api/v2/ide/roots"),
    Route("GET", "/api/v2/ide/tree", {"root": "ide_root", "path": "ide_path"}, base_query="root=0&path=sweep"),
    Route("GET", "/api/v2/ide/file", {"root": "ide_root", "path": "ide_path"},
          base_query="root=0&path=sweep/dag.py"),
    Route("PUT", "/api/v2/ide/file", body={"root": Field("root", 0, False),
                                           "path": Field("str", "sweep/dag.py", False, IDE_PATH),
                                           "content": Field("str", "# saved\n", False),
                                           "etag": Field("str", OMIT),
                                           "force": Field("bool", True)}),
    Route("POST", "/api/v2/ide/file", body={"root": Field("root", 0, False),
                                            "path": Field("str", "sweep/new.py", False, IDE_PATH),
                                            "content": Field("str", "# new\n")}),
    Route("DELETE", "/api/v2/ide/file", {"root": "ide_root", "path": "ide_path"},
          base_query="root=0&path=sweep/notes.txt"),
    Route("POST", "/api/v2/ide/folder", body={"root": Field("root", 0, False),
                                              "path": Field("str", "sweep/new_folder", False, IDE_PATH)}),
    Route("DELETE", "/api/v2/ide/folder", {"root": "ide_root", "path": "ide_path", "recursive": "bool"},
          base_query="root=0&path=sweep/folder&recursive=true"),
    Route("POST", "/api/v2/ide/rename", body={"root": Field("root", 0, False),
                                              "path": Field("str", "sweep/notes.txt", False, IDE_PATH),
                                              "new_path": Field("str", "sweep/moved.txt", False, IDE_PATH),
                                              "overwrite": Field("bool", True)}),
    Route("GET", "/ui/dashboard", {"since": "datetime"}),
    Route("GET", "/ui/grid/{dag_id}", {"limit": "limit1"}),
    Route("GET", "/ui/structure/{dag_id}", {"version_number": "int"}),
    Route("GET", "/ui/recent_runs", {"limit": "limit1"}),
    Route("GET", "/ui/events", stream=True),
    # Sign-in: Airflow's simple auth manager ignores unknown login fields.
    Route("POST", "/auth/token", body=CREDENTIALS, unknown_fields_refused=False, public=True),
    Route("POST", "/auth/login", body=CREDENTIALS, unknown_fields_refused=False, public=True),
    Route("GET", "/auth/login", public=True),
    Route("POST", "/auth/logout", public=True),
    Route("GET", "/auth/logout", public=True),
    Route("GET", "/auth/me", public=True),
    Route("GET", "/api/v2/auth/login", public=True),
    Route("GET", "/api/v2/auth/logout", public=True),
]
# The UI's files and pages (server/ui/static_routes.cpp registers them in a loop).
STATIC_PAGE_DEPTH = 6
for _method in ("GET", "HEAD"):
    ROUTES.append(Route(_method, "/", spa=True))
    ROUTES.append(Route(_method, "/{page}", spa=True))
    ROUTES.append(Route(_method, "/assets/{file}"))
    for _depth in range(1, STATIC_PAGE_DEPTH + 1):
        ROUTES.append(Route(_method, "/dags" + "".join(f"/{{p{i}}}" for i in range(1, _depth + 1)), spa=True))

# Registrations whose method or pattern is a variable: where, and what they expand to above.
DYNAMIC = {
    ("server/ui/static_routes.cpp", 'r.add(method, "/", page)'),
    ("server/ui/static_routes.cpp", 'r.add(method, "/{page}", root_file)'),
    ("server/ui/static_routes.cpp", 'r.add(method, "/assets/{file}", asset_file)'),
    ("server/ui/static_routes.cpp", "r.add(method, pattern, page)"),
}

ADD_CALL = re.compile(r"\br\.add\(")
LITERAL = re.compile(r'\br\.add\(\s*"([A-Z]+)"\s*,\s*(?:(\w+)\s*\+\s*)?"([^"]*)"')


# Routers of other listeners: the Kubernetes executor's execution API is served
# on its own port, with try tokens only (its checks: test/kubernetes).
OTHER_LISTENERS = {"execution"}


def registered_routes():
    """(method, pattern) of every `r.add(...)` in server/**.cpp (the main
    listener's), and the call sites that are not literal (file, text)."""
    found, dynamic = set(), set()
    for folder, subfolders, files in os.walk(SERVER_DIR):
        subfolders[:] = [d for d in subfolders if not (folder == SERVER_DIR and d in OTHER_LISTENERS)]
        for name in files:
            if not name.endswith(".cpp"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, os.path.join(SERVER_DIR, "..")).replace(os.sep, "/")
            text = open(path).read()
            for call in ADD_CALL.finditer(text):
                m = LITERAL.match(text, call.start())
                if not m:
                    dynamic.add((rel, text[call.start():text.index(")", call.start()) + 1]))
                    continue
                method, prefix_var, tail = m.groups()
                prefix = ""
                if prefix_var:
                    # A pattern built from a string constant of the same file.
                    const = re.search(r"std::string\s+%s\s*=\s*\"([^\"]*)\"" % prefix_var, text)
                    assert const, f"{rel}: cannot resolve {prefix_var}"
                    prefix = const.group(1)
                found.add((method, prefix + tail))
    return found, dynamic


def table_problems():
    """What differs between ROUTES and the server's registrations."""
    found, dynamic = registered_routes()
    listed = [r.key for r in ROUTES]
    problems = []
    dupes = {k for k in listed if listed.count(k) > 1}
    if dupes:
        problems.append(f"listed twice: {sorted(dupes)}")
    static = {r.key for r in ROUTES if r.pattern == "/" or r.pattern.startswith(("/{page}", "/assets/", "/dags"))}
    missing = found - set(listed)
    if missing:
        problems.append(f"registered but not in the sweep table: {sorted(missing)}")
    extra = set(listed) - found - static
    if extra:
        problems.append(f"in the table but not registered: {sorted(extra)}")
    if dynamic != DYNAMIC:
        problems.append(f"non-literal registrations changed: {sorted(dynamic ^ DYNAMIC)}")
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
