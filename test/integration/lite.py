"""Runs the real `leoflow lite` for integration tests: a temporary
LEOFLOW_HOME, port 0 (the server prints the port it got), a small JSON HTTP
client, and polling with a deadline instead of sleeping."""
import http.client
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BIN_DIR = os.environ.get("LEOFLOW_BIN_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "bin")
# LEOFLOW_TEST_BACKEND=postgresql runs every Lite of the suite on PostgreSQL:
# one new database per LEOFLOW_HOME, on one throw-away cluster.
POSTGRESQL = os.environ.get("LEOFLOW_TEST_BACKEND") == "postgresql"
_pg = {"cluster": None, "databases": {}}


def database_for(home):
    """The database URL of `home` when the suite runs on PostgreSQL, else None."""
    if not POSTGRESQL:
        return None
    import atexit
    import postgres
    if _pg["cluster"] is None:
        _pg["cluster"] = postgres.Cluster()
        atexit.register(_pg["cluster"].stop)
    key = os.path.realpath(str(home))
    if key not in _pg["databases"]:
        _pg["databases"][key] = _pg["cluster"].new_database()
    return _pg["databases"][key]
LISTENING = re.compile(r"listening on (http://[^ ]+)")


class Lite:
    """One `leoflow lite` process; use as a context manager."""

    def __init__(self, *folders, args=(), home=None, env=None, binary="leoflow", token=None):
        self.folders = [str(f) for f in folders]
        self.args = list(args)
        self._home = home
        self.env = dict(os.environ, **(env or {}))
        self.binary = os.path.join(BIN_DIR, binary)
        self.lines = []
        self._lock = threading.Lock()
        self.base = None
        self.proc = None
        self.token = token  # sent as `Authorization: Bearer` by request()

    def __enter__(self):
        if self._home is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="leoflow-home-")
            self._home = self._tmp.name
        self.env["LEOFLOW_HOME"] = self._home
        self.env.setdefault("NO_COLOR", "1")
        if database_for(self._home) and "--database" not in self.args:
            self.env.setdefault("LEOFLOW_DATABASE_URL", database_for(self._home))
        self.proc = subprocess.Popen(
            [self.binary, "lite", *self.folders, "--port", "0", *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        line = self.wait_for_line(LISTENING, timeout=30)
        self.base = LISTENING.search(line).group(1)
        return self

    def __exit__(self, *exc):
        self.stop()
        if hasattr(self, "_tmp"):
            self._tmp.cleanup()

    @property
    def home(self):
        return self._home

    def _read(self):
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def output(self):
        with self._lock:
            return "\n".join(self.lines)

    def wait_for_line(self, pattern, timeout=20, start=0):
        """The first output line (from index `start`) matching `pattern`."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        found = wait_until(lambda: next((l for l in self.lines[start:] if rx.search(l)), None),
                           timeout, lambda: f"no line matching {rx.pattern!r} in:\n{self.output()}")
        return found

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def request(self, method, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token and not any(k.lower() == "authorization" for k in (headers or {})):
            req.add_header("Authorization", f"Bearer {self.token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                payload = resp.read()
                return resp.status, _decode(payload)
        except urllib.error.HTTPError as e:
            return e.code, _decode(e.read())

    def get(self, path):
        return self.request("GET", path)


    def call(self, method, path, body=None, headers=None, source=None):
        """One request that follows no redirect: (status, headers, decoded body).
        `source` binds the client to a local address (e.g. "127.0.0.2")."""
        return http_call(self.base, method, path, body=body, headers=headers, source=source)

    def login(self, username, password):
        """POST /auth/token; the token, also kept for later requests."""
        status, body = self.request("POST", "/auth/token", {"username": username, "password": password})
        assert status == 201, (status, body)
        self.token = body["access_token"]
        return self.token


def http_call(base, method, path, body=None, headers=None, source=None, timeout=30):
    """A request with http.client (no redirects followed, every header kept):
    (status, http.client.HTTPMessage, decoded body). A dict body is sent as
    JSON, a str or bytes body as is."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    hdrs = {"Accept": "application/json", **(headers or {})}
    data = body
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        data = body.encode()
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, resp.headers, _decode(resp.read())
    finally:
        conn.close()


def leoflow(*args, home, input=None, env=None, timeout=120, binary="leoflow"):
    """Runs a `leoflow` command with LEOFLOW_HOME=home and no colour;
    returns the CompletedProcess (text)."""
    full_env = dict(os.environ)
    full_env.update(LEOFLOW_HOME=str(home), NO_COLOR="1")
    if database_for(home):
        full_env["LEOFLOW_DATABASE_URL"] = database_for(home)
    full_env.update(env or {})
    return subprocess.run([os.path.join(BIN_DIR, binary), *map(str, args)], input=input,
                          capture_output=True, text=True, env=full_env, timeout=timeout)


def setup_user(home, username="admin", password="correct-horse-1", role="admin"):
    """Creates a user with the real `leoflow setup` (password on stdin)."""
    flag = "--admin-user" if role == "admin" else "--viewer-user"
    r = leoflow("setup", flag, username, "--password-stdin", home=home, input=password + "\n")
    assert r.returncode == 0, r.stderr
    return password


def _decode(payload):
    if not payload:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode(errors="replace")


def wait_until(condition, timeout=20, message="condition not met"):
    """Polls `condition` until it returns something truthy or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(0.02)  # poll interval; the condition is re-checked


def q(text):
    return urllib.parse.quote(str(text), safe="")
