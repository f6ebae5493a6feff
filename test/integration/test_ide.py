"""The /ide file API against a real `leoflow lite` over real HTTP, on real
folders in a temporary place: roots and lazy listings, reading with an etag,
saves that are atomic and refused when stale (409 with the current etag) or
too large (413), binary files (415), creating, renaming and deleting with
their conflicts, hostile paths (400, nothing outside touched), requests from
elsewhere refused, the login in front of it, and a save answered by the
watcher on the live channel."""
import http.client
import json
import os
import stat
import threading
import urllib.parse

import pytest

from lite import Lite, http_call, setup_user, wait_until

MAX = 2 * 1024 * 1024

DAG = '''\
from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2025, 1, 1), catchup=False)
def ide_watched():
    @task
    def first():
        return 1

    first()


ide_watched()
'''


def q(**params):
    return urllib.parse.urlencode(params)


def snapshot(folder):
    """Every entry under `folder` with its kind, content and times."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                what = "link:" + os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    what = f.read()
            else:
                what = "dir"
            out[os.path.relpath(p, folder)] = (st.st_mode, st.st_mtime_ns, what)
    return out


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    base = tmp_path_factory.mktemp("ide")
    files = base / "files"
    other = base / "other"
    outside = base / "outside"
    for d in (files, other, outside):
        d.mkdir()
    (outside / "secret.txt").write_text("outside secret\n")
    os.symlink(str(outside), files / "link_out")
    os.symlink("../outside/secret.txt", files / "link_file")
    return {"base": base, "files": files, "other": other, "outside": outside}


@pytest.fixture(scope="module")
def lite(place):
    with Lite(place["files"], place["other"]) as server:
        yield server


@pytest.fixture
def work(place, request):
    """A fresh folder for one test inside the first root: (relative, absolute)."""
    name = request.node.name.replace("[", "_").replace("]", "").replace("/", "_")[:80]
    folder = place["files"] / name
    folder.mkdir()
    return name, folder


def call(lite, method, path, body=None, headers=None):
    status, _, payload = http_call(lite.base, method, path, body=body, headers=headers)
    return status, payload


def read(lite, path, root=0):
    return call(lite, "GET", "/api/v2/ide/file?" + q(root=root, path=path))


def save(lite, path, content, etag=None, force=None, root=0):
    body = {"root": root, "path": path, "content": content}
    if etag is not None:
        body["etag"] = etag
    if force is not None:
        body["force"] = force
    return call(lite, "PUT", "/api/v2/ide/file", body)


def test_roots_are_the_watched_folders_by_index_and_name(lite, place):
    status, body = call(lite, "GET", "/api/v2/ide/roots")
    assert status == 200
    assert [(r["index"], r["name"], r["path"]) for r in body["roots"]] == [
        (0, "files", str(place["files"].resolve())), (1, "other", str(place["other"].resolve()))]
    assert body["max_file_bytes"] == MAX
    assert call(lite, "GET", "/api/v2/ide/tree?" + q(root="other"))[0] == 200
    status, body = call(lite, "GET", "/api/v2/ide/tree?" + q(root="nope"))
    assert status == 404 and "nope" in body["detail"]
    assert call(lite, "GET", "/api/v2/ide/tree?" + q(root=7))[0] == 404
    status, body = call(lite, "GET", "/api/v2/ide/tree")
    assert status == 422 and body["detail"][0]["loc"] == ["query", "root"]


def test_listing_is_lazy_skips_caches_and_puts_folders_first(lite, work):
    rel, folder = work
    for name in ("b.py", "a.txt", "zdir/inner.py", "__pycache__/x.pyc", ".git/HEAD", ".venv/bin/python",
                 "node_modules/m/index.js", ".hidden", "dag.py~", "adir/deeper/deep.py"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x\n")
    status, body = call(lite, "GET", "/api/v2/ide/tree?" + q(root=0, path=rel))
    assert status == 200 and body["truncated"] is False
    assert [(e["name"], e["type"]) for e in body["entries"]] == [
        ("adir", "folder"), ("zdir", "folder"), ("a.txt", "file"), ("b.py", "file")]
    assert body["entries"][2] == {"name": "a.txt", "path": f"{rel}/a.txt", "type": "file", "size": 2}
    # One level at a time.
    status, body = call(lite, "GET", "/api/v2/ide/tree?" + q(root=0, path=f"{rel}/adir"))
    assert [e["path"] for e in body["entries"]] == [f"{rel}/adir/deeper"]
    # Links are listed as links, never followed.
    status, body = call(lite, "GET", "/api/v2/ide/tree?" + q(root=0, path=""))
    kinds = {e["name"]: e["type"] for e in body["entries"]}
    assert kinds["link_out"] == "symlink" and kinds["link_file"] == "symlink"
    assert call(lite, "GET", "/api/v2/ide/tree?" + q(root=0, path=f"{rel}/a.txt"))[0] == 400
    assert call(lite, "GET", "/api/v2/ide/tree?" + q(root=0, path=f"{rel}/missing"))[0] == 404


def test_reading_text_binary_and_large_files(lite, work):
    rel, folder = work
    (folder / "dag.py").write_text("print('hé')\n")
    status, body = read(lite, f"{rel}/dag.py")
    assert status == 200
    assert body["content"] == "print('hé')\n" and body["path"] == f"{rel}/dag.py"
    assert len(body["etag"]) == 64 and body["size"] == len("print('hé')\n".encode())

    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    status, body = read(lite, f"{rel}/logo.png")
    assert status == 415 and "not a text file" in body["detail"]
    (folder / "big.py").write_bytes(b"#" * (MAX + 1))
    status, body = read(lite, f"{rel}/big.py")
    assert status == 413 and "2 MiB" in body["detail"]
    (folder / "limit.py").write_bytes(b"#" * MAX)
    assert read(lite, f"{rel}/limit.py")[0] == 200
    assert read(lite, f"{rel}/missing.py")[0] == 404
    assert read(lite, rel)[0] == 400
    os.mkfifo(folder / "pipe")
    status, body = read(lite, f"{rel}/pipe")
    assert status == 400 and "regular file" in body["detail"]


def test_saving_with_etags_conflicts_and_overwrites(lite, work):
    rel, folder = work
    target = folder / "dag.py"
    target.write_text("v = 1\n")
    os.chmod(target, 0o640)
    path = f"{rel}/dag.py"
    etag = read(lite, path)[1]["etag"]

    status, body = save(lite, path, "v = 2\n")
    assert status == 428 and "etag" in body["detail"]

    inode = os.stat(target).st_ino
    status, body = save(lite, path, "v = 2\n", etag=etag)
    assert status == 200 and body["unchanged"] is False and body["size"] == 6
    assert target.read_text() == "v = 2\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640, "permissions are kept"
    assert os.stat(target).st_ino != inode, "a new file renamed over the old one"
    mine = body["etag"]
    assert mine == read(lite, path)[1]["etag"]

    # Someone else writes the file (another editor, git pull).
    target.write_text("v = 'theirs'\n")
    status, body = save(lite, path, "v = 3\n", etag=mine)
    assert status == 409 and "changed on disk" in body["detail"]
    current = body["etag"]
    assert current == read(lite, path)[1]["etag"]
    assert target.read_text() == "v = 'theirs'\n"

    # Overwrite: with the fresh etag, or forced.
    assert save(lite, path, "v = 3\n", etag=current)[0] == 200
    assert save(lite, path, "v = 4\n", etag="stale", force=True)[0] == 200
    assert target.read_text() == "v = 4\n"

    # The same content again: nothing written.
    mtime = os.stat(target).st_mtime_ns
    status, body = save(lite, path, "v = 4\n", etag=read(lite, path)[1]["etag"])
    assert status == 200 and body["unchanged"] is True
    assert os.stat(target).st_mtime_ns == mtime
    assert sorted(os.listdir(folder)) == ["dag.py"], "no temporary file left behind"


def test_saving_limits_and_refusals(lite, work):
    rel, folder = work
    (folder / "dag.py").write_text("x = 1\n")
    path = f"{rel}/dag.py"
    status, body = save(lite, path, "#" * (MAX + 1), force=True)
    assert status == 413
    assert save(lite, path, "#" * MAX, force=True)[0] == 200
    status, body = save(lite, path, "a\u0000b", force=True)
    assert status == 415
    assert save(lite, f"{rel}/gone.py", "x", force=True)[0] == 404
    assert save(lite, rel, "x", force=True)[0] == 400
    status, body = call(lite, "PUT", "/api/v2/ide/file", {"root": 0, "path": path})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "content"]
    status, body = call(lite, "PUT", "/api/v2/ide/file", "{not json", headers={"Content-Type": "application/json"})
    assert status == 422
    status, body = call(lite, "PUT", "/api/v2/ide/file", {"root": [0], "path": path, "content": ""})
    assert status == 422


def test_creating_files_and_folders(lite, work):
    rel, folder = work
    status, body = call(lite, "POST", "/api/v2/ide/file", {"root": 0, "path": f"{rel}/new.py", "content": "n = 1\n"})
    assert status == 201 and body["path"] == f"{rel}/new.py" and len(body["etag"]) == 64
    assert (folder / "new.py").read_text() == "n = 1\n"
    status, body = call(lite, "POST", "/api/v2/ide/file", {"root": 0, "path": f"{rel}/new.py", "content": "other"})
    assert status == 409 and "already exists" in body["detail"]
    assert (folder / "new.py").read_text() == "n = 1\n"
    assert call(lite, "POST", "/api/v2/ide/file", {"root": 0, "path": f"{rel}/empty.py"})[0] == 201
    assert (folder / "empty.py").read_text() == ""
    assert call(lite, "POST", "/api/v2/ide/file", {"root": 0, "path": f"{rel}/no/such.py"})[0] == 404

    status, body = call(lite, "POST", "/api/v2/ide/folder", {"root": 0, "path": f"{rel}/pkg"})
    assert status == 201 and (folder / "pkg").is_dir()
    assert call(lite, "POST", "/api/v2/ide/folder", {"root": 0, "path": f"{rel}/pkg"})[0] == 409
    assert call(lite, "POST", "/api/v2/ide/folder", {"root": 0, "path": f"{rel}/new.py"})[0] == 409
    assert call(lite, "POST", "/api/v2/ide/file", {"root": "files", "path": f"{rel}/pkg/mod.py"})[0] == 201


def test_renaming_only_replaces_when_asked(lite, work):
    rel, folder = work
    (folder / "a.py").write_text("a\n")
    (folder / "b.py").write_text("b\n")
    (folder / "sub").mkdir()

    def rename(src, dst, **extra):
        return call(lite, "POST", "/api/v2/ide/rename", {"root": 0, "path": src, "new_path": dst, **extra})

    status, body = rename(f"{rel}/a.py", f"{rel}/b.py")
    assert status == 409 and (folder / "b.py").read_text() == "b\n"
    status, body = rename(f"{rel}/a.py", f"{rel}/b.py", overwrite=True)
    assert status == 200 and body["path"] == f"{rel}/b.py"
    assert (folder / "b.py").read_text() == "a\n" and not (folder / "a.py").exists()
    assert rename(f"{rel}/b.py", f"{rel}/sub/c.py")[1]["path"] == f"{rel}/sub/c.py"
    assert rename(f"{rel}/sub", f"{rel}/moved")[0] == 200
    assert (folder / "moved" / "c.py").read_text() == "a\n"
    assert rename(f"{rel}/moved", f"{rel}/moved/inner")[0] == 400
    assert rename(f"{rel}/missing.py", f"{rel}/x.py")[0] == 404
    (folder / "file.py").write_text("f\n")
    assert rename(f"{rel}/file.py", f"{rel}/moved", overwrite=True)[0] == 409
    assert rename(f"{rel}/file.py", "../escaped.py")[0] == 400


def test_deleting_files_and_folders(lite, work):
    rel, folder = work
    (folder / "gone.py").write_text("x\n")
    (folder / "pkg" / "__pycache__").mkdir(parents=True)
    (folder / "pkg" / "mod.py").write_text("y\n")
    (folder / "pkg" / "__pycache__" / "mod.pyc").write_bytes(b"\0")

    def delete(kind, path, **extra):
        return call(lite, "DELETE", f"/api/v2/ide/{kind}?" + q(root=0, path=path, **extra))

    assert delete("file", f"{rel}/gone.py")[0] == 204 and not (folder / "gone.py").exists()
    assert delete("file", f"{rel}/gone.py")[0] == 404
    assert delete("file", f"{rel}/pkg")[0] == 400
    assert delete("folder", f"{rel}/pkg/mod.py")[0] == 400
    status, body = delete("folder", f"{rel}/pkg")
    assert status == 409 and "not empty" in body["detail"]
    assert (folder / "pkg" / "mod.py").exists()
    assert delete("folder", f"{rel}/pkg", recursive="true")[0] == 204
    assert not (folder / "pkg").exists()
    assert delete("folder", "", recursive="true")[0] == 400


HOSTILE_QUERIES = [
    "..%2Foutside%2Fsecret.txt",
    "..%2foutside%2fsecret.txt",
    "%2e%2e%2Foutside%2Fsecret.txt",
    "..%252Foutside%252Fsecret.txt",
    "%252e%252e%252Foutside%252Fsecret.txt",
    "%2Fetc%2Fpasswd",
    "%2F" + "..%2F" * 8 + "etc%2Fpasswd",
    "..%5Coutside%5Csecret.txt",
    "..%255Coutside%255Csecret.txt",
    "link_out%2Fsecret.txt",
    "link_file",
    "..%E2%88%95outside%E2%88%95secret.txt",   # U+2215
    "..%EF%BC%8Foutside%EF%BC%8Fsecret.txt",   # U+FF0F
    "%E2%80%A4%E2%80%A4%2Foutside%2Fsecret.txt",  # U+2024 U+2024
    "%EF%BC%8E%EF%BC%8E%2Foutside%2Fsecret.txt",  # U+FF0E U+FF0E
    "..%C0%AFoutside%C0%AFsecret.txt",          # overlong '/'
    ".git%2Fconfig",
]


@pytest.mark.parametrize("encoded", HOSTILE_QUERIES)
def test_hostile_paths_in_queries_are_refused(lite, place, encoded):
    before = snapshot(place["outside"])
    for method, route in (("GET", "file"), ("GET", "tree"), ("DELETE", "file"), ("DELETE", "folder")):
        target = f"/api/v2/ide/{route}?root=0&path={encoded}" + ("&recursive=true" if route == "folder" else "")
        status, body = call(lite, method, target)
        assert status == 400, (method, target, status, body)
        assert body["detail"], body
    assert snapshot(place["outside"]) == before


def test_nul_bytes_in_a_query_are_refused(lite):
    status, _ = call(lite, "GET", "/api/v2/ide/file?root=0&path=a.py%00.txt")
    assert status == 400


HOSTILE_BODIES = [
    "../outside/secret.txt",
    "../../../../etc/passwd",
    "/etc/passwd",
    "link_out/secret.txt",
    "link_out/new.py",
    "link_file",
    "..\\outside\\secret.txt",
    "..%2Foutside%2Fsecret.txt",
    "..%252Foutside",
    "a.py\u0000../../outside/secret.txt",
    "..\u2215outside\u2215secret.txt",
    "..\uff0foutside\uff0fsecret.txt",
    "\u2024\u2024/outside/secret.txt",
    "\u202etxt.terces",
    ".git/hooks/pre-commit",
]


@pytest.mark.parametrize("path", HOSTILE_BODIES)
def test_hostile_paths_in_bodies_are_refused(lite, place, path):
    before = snapshot(place["outside"])
    inside = snapshot(place["files"])
    writes = [
        ("PUT", "/api/v2/ide/file", {"root": 0, "path": path, "content": "pwned\n", "force": True}),
        ("POST", "/api/v2/ide/file", {"root": 0, "path": path, "content": "pwned\n"}),
        ("POST", "/api/v2/ide/folder", {"root": 0, "path": path}),
        ("POST", "/api/v2/ide/rename", {"root": 0, "path": path, "new_path": "stolen.txt", "overwrite": True}),
    ]
    for method, route, body in writes:
        status, answer = call(lite, method, route, body)
        # A link's own name exists: creating over it is a 409, never a write.
        expected = (409,) if path == "link_file" and route != "/api/v2/ide/rename" and method == "POST" else (400,)
        assert status in expected, (method, route, path, status, answer)
    assert snapshot(place["outside"]) == before
    assert snapshot(place["files"]) == inside


def test_requests_from_elsewhere_are_refused(lite, work):
    rel, folder = work
    (folder / "dag.py").write_text("x = 1\n")
    path = f"/api/v2/ide/file?" + q(root=0, path=f"{rel}/dag.py")
    # DNS rebinding: a foreign name pointing at the loopback.
    assert call(lite, "GET", path, headers={"Host": "attacker.example"})[0] == 403
    port = lite.base.rsplit(":", 1)[1]
    assert call(lite, "GET", path, headers={"Host": "localhost:1"})[0] == 403
    assert call(lite, "GET", path, headers={"Host": f"localhost:{port}"})[0] == 200
    body = {"root": 0, "path": f"{rel}/dag.py", "content": "pwned\n", "force": True}
    # A cross-site form can only send text/plain without a preflight.
    status, answer = call(lite, "PUT", "/api/v2/ide/file", json.dumps(body), headers={"Content-Type": "text/plain"})
    assert status == 415
    assert call(lite, "PUT", "/api/v2/ide/file", body, headers={"Origin": "http://attacker.example"})[0] == 403
    assert call(lite, "PUT", "/api/v2/ide/file", body, headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert (folder / "dag.py").read_text() == "x = 1\n"
    origin = lite.base
    assert call(lite, "PUT", "/api/v2/ide/file", body, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"})[0] == 200


ADMIN_PW = "admin-secret-5512"
VIEWER_PW = "viewer-secret-9920"


def test_the_login_guards_the_ide(tmp_path):
    home = tmp_path / "home"
    setup_user(home, "admin", ADMIN_PW)
    setup_user(home, "viewer", VIEWER_PW, role="viewer")
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "notes.md").write_text("# notes\n")
    with Lite(dags, home=str(home), args=["--allowed-host", "dags.example"]) as lite:
        assert call(lite, "GET", "/api/v2/ide/roots")[0] == 401
        assert call(lite, "GET", "/api/v2/ide/file?" + q(root=0, path="notes.md"))[0] == 401
        body = {"root": 0, "path": "notes.md", "content": "pwned\n", "force": True}
        assert call(lite, "PUT", "/api/v2/ide/file", body)[0] == 401

        viewer = {"Authorization": "Bearer " + lite.login("viewer", VIEWER_PW)}
        assert call(lite, "GET", "/api/v2/ide/file?" + q(root=0, path="notes.md"), headers=viewer)[0] == 200
        assert call(lite, "PUT", "/api/v2/ide/file", body, headers=viewer)[0] == 403

        # The browser's session: the cookie alone does not write.
        status, headers, _ = http_call(lite.base, "POST", "/auth/login", body=urllib.parse.urlencode(
            {"username": "admin", "password": ADMIN_PW, "next": "/ide"}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
        assert status == 303
        cookies = dict(v.split(";", 1)[0].split("=", 1) for v in headers.get_all("Set-Cookie"))
        jar = f"leoflow_session={cookies['leoflow_session']}; leoflow_csrf={cookies['leoflow_csrf']}"
        assert call(lite, "PUT", "/api/v2/ide/file", body, headers={"Cookie": jar})[0] == 403
        assert (dags / "notes.md").read_text() == "# notes\n"
        ok = {"Cookie": jar, "X-CSRF-Token": cookies["leoflow_csrf"]}
        assert call(lite, "PUT", "/api/v2/ide/file", {**body, "content": "# mine\n"}, headers=ok)[0] == 200
        assert (dags / "notes.md").read_text() == "# mine\n"
        # Signed in, a name given with --allowed-host reaches the IDE; others do not.
        assert call(lite, "GET", "/api/v2/ide/roots", headers={**ok, "Host": "dags.example"})[0] == 200
        assert call(lite, "GET", "/api/v2/ide/roots", headers={**ok, "Host": "other.example"})[0] == 403


class EventStream:
    """Reads GET /ui/events on a thread; events as (type, data)."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.conn.request("GET", "/ui/events", headers={"Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        self.events = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        kind, data = None, None
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif not line and kind:
                    with self.lock:
                        self.events.append((kind, data))
                    kind, data = None, None
        except (OSError, ValueError):
            pass

    def find(self, kind, predicate):
        with self.lock:
            return next((d for k, d in self.events if k == kind and predicate(d)), None)

    def close(self):
        self.conn.close()


def test_a_save_is_answered_by_the_watcher_on_the_live_channel(tmp_path):
    dags = tmp_path / "dags"
    (dags / "watched").mkdir(parents=True)
    (dags / "watched" / "dag.py").write_text(DAG)
    fileloc = str((dags / "watched" / "dag.py").resolve())
    with Lite(dags) as lite:
        wait_until(lambda: lite.request("GET", "/api/v2/dags/ide_watched")[0] == 200, message=lite.output)
        events = EventStream(lite.base)
        try:
            etag = read(lite, "watched/dag.py")[1]["etag"]
            broken = DAG.replace("    first()\n", "    first(\n")
            status, body = save(lite, "watched/dag.py", broken, etag=etag)
            assert status == 200
            error = wait_until(lambda: events.find("import_error", lambda d: d["filename"] == fileloc and not d["cleared"]),
                               timeout=60, message=lite.output)
            assert f'File "{fileloc}", line 12' in error["stack_trace"]
            assert "SyntaxError" in error["stack_trace"]

            fixed = DAG.replace("    first()\n", "    first()\n    first.override(task_id='second')()\n")
            assert save(lite, "watched/dag.py", fixed, etag=body["etag"])[0] == 200
            version = wait_until(lambda: events.find("dag_version", lambda d: d["dag_id"] == "ide_watched"
                                                     and d["version_number"] == 2), timeout=60, message=lite.output)
            assert version["fileloc"] == fileloc
            assert events.find("import_error", lambda d: d["filename"] == fileloc and d["cleared"])
            tasks = lite.request("GET", "/api/v2/dags/ide_watched/tasks")[1]["tasks"]
            assert sorted(t["task_id"] for t in tasks) == ["first", "second"]
        finally:
            events.close()
