"""Login against a real `leoflow lite` over real HTTP, with users made by the
real `leoflow setup` in a temporary LEOFLOW_HOME: tokens, wrong passwords,
expiry, throttling per client address, 401/403 on every route family, the
browser session with its CSRF guard, reset-password on a running server, and
which addresses the server binds with and without an admin."""
import base64
import hashlib
import hmac
import json
import os
import re
import socket
import time
import urllib.parse

import pytest

from lite import Lite, http_call, leoflow, setup_user, wait_until

ADMIN_PW = "admin-secret-7781"
VIEWER_PW = "viewer-secret-3390"

DAG = '''\
from datetime import datetime
from airflow.sdk import dag, task

@dag(schedule=None, start_date=datetime(2025, 1, 1))
def guarded():
    @task
    def hello():
        return 1
    hello()

guarded()
'''

# One route of each family the gate guards, and the public ones.
GUARDED_GET = ["/api/v2/dags", "/api/v2/dags/guarded", "/api/v2/dags/guarded/dagVersions",
               "/api/v2/dags/guarded/details", "/api/v2/dagSources/guarded", "/api/v2/importErrors",
               "/api/v2/dags/guarded/dagRuns", "/api/v2/dags/guarded/dagRuns/r/taskInstances/t/logs/1",
               "/api/v2/variables", "/api/v2/connections", "/api/v2/pools", "/api/v2/eventLogs",
               "/api/v2/ide/roots", "/api/v2/ide/tree?root=0", "/api/v2/ide/file?root=0&path=guarded/dag.py",
               "/ui/dashboard", "/ui/grid/guarded", "/ui/events", "/auth/me",
               "/assets/index.js", "/favicon.ico"]
GUARDED_PAGES = ["/", "/ide", "/login", "/dags/guarded/grid"]
PUBLIC = ["/api/v2/monitor/health", "/api/v2/version"]
CHANGES = [("PATCH", "/api/v2/dags/guarded", {"is_paused": True}),
           ("POST", "/api/v2/dags/guarded/dagRuns", {"logical_date": None}),
           ("POST", "/api/v2/dags/guarded/clearTaskInstances", {"dry_run": False}),
           ("DELETE", "/api/v2/dags/guarded", None),
           ("POST", "/api/v2/variables", {"key": "k", "value": "v"}),
           ("PUT", "/api/v2/parseDagFile/token", None),
           ("PUT", "/api/v2/ide/file", {"root": 0, "path": "guarded/dag.py", "content": "x", "force": True}),
           ("POST", "/api/v2/ide/rename", {"root": 0, "path": "guarded/dag.py", "new_path": "guarded/x.py"}),
           ("DELETE", "/api/v2/ide/file", {"root": 0, "path": "guarded/dag.py"})]


def set_config(home, **replacements):
    """Edits values `leoflow setup` wrote (in place: the mode stays 0600)."""
    path = os.path.join(home, "config.yaml")
    with open(path) as f:
        text = f.read()
    for key, value in replacements.items():
        text, n = re.subn(rf"(\n\s*{key}: )[^\n]*", rf"\g<1>{value}", text)
        assert n == 1, key
    with open(path, "w") as f:
        f.write(text)


def secret_key(home):
    with open(os.path.join(home, "config.yaml")) as f:
        return bytes.fromhex(re.search(r"secret_key: ([0-9a-f]{64})", f.read()).group(1))


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(key, header, payload):
    """A token made outside Lite, signed with its real secret: what a
    standard JWT library would produce."""
    head = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    sig = b64(hmac.new(key, head.encode(), hashlib.sha256).digest()) if key else ""
    return head + "." + sig


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    setup_user(h, "admin", ADMIN_PW)
    setup_user(h, "viewer", VIEWER_PW, role="viewer")
    return str(h)


@pytest.fixture
def dags(tmp_path):
    d = tmp_path / "dags"
    (d / "guarded").mkdir(parents=True)
    (d / "guarded" / "dag.py").write_text(DAG)
    return d


def registered(lite, dag_id="guarded"):
    return lite.request("GET", f"/api/v2/dags/{dag_id}")[0] == 200


def test_setup_writes_a_private_config_with_an_argon2id_hash(home):
    path = os.path.join(home, "config.yaml")
    assert os.stat(path).st_mode & 0o777 == 0o600
    text = open(path).read()
    assert "$argon2id$" in text
    assert ADMIN_PW not in text and VIEWER_PW not in text
    key = secret_key(home)
    # Re-running keeps the secret and the users unless told otherwise.
    r = leoflow("setup", "--workspace", os.path.join(home, "ws"), home=home)
    assert r.returncode == 0, r.stderr
    assert secret_key(home) == key
    assert "viewer:" in open(path).read()


def test_token_login_wrong_password_and_bearer_use(home, dags):
    with Lite(dags, home=home) as lite:
        status, body = lite.request("POST", "/auth/token", {"username": "admin", "password": ADMIN_PW})
        assert status == 201 and body["access_token"].count(".") == 2
        token = body["access_token"]
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        assert header["alg"] == "HS256"
        # Form-encoded, as Airflow's simple auth manager also takes.
        status, _, body = lite.call("POST", "/auth/token", body=urllib.parse.urlencode(
            {"username": "admin", "password": ADMIN_PW}),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 201 and "access_token" in body

        status, body = lite.request("POST", "/auth/token", {"username": "admin", "password": "nope-nope-nope"})
        assert status == 401 and body == {"detail": "Invalid username or password"}
        status, body = lite.request("POST", "/auth/token", {"username": "ghost", "password": "nope-nope-nope"})
        assert status == 401 and body == {"detail": "Invalid username or password"}

        wait_until(lambda: lite.request("GET", "/api/v2/dags/guarded", headers={
            "Authorization": f"Bearer {token}"})[0] == 200, message=lite.output)
        status, body = lite.request("GET", "/api/v2/dags")
        assert status == 401 and "detail" in body
        assert lite.request("GET", "/api/v2/dags", headers={"Authorization": "Bearer " + token[:-2] + "xx"})[0] == 401
        # Passwords and tokens never reach the log.
        out = lite.output()
        assert ADMIN_PW not in out and token not in out and "nope-nope-nope" not in out
        assert "failed sign-in for user \"admin\" from 127.0.0.1" in out


def test_every_route_family_is_401_without_credentials(home, dags):
    with Lite(dags, home=home) as lite:
        for path in GUARDED_GET:
            status, headers, body = lite.call("GET", path)
            assert status == 401, path
            assert headers["WWW-Authenticate"] == "Bearer", path
            assert isinstance(body, dict) and body["detail"], path
        for path in GUARDED_PAGES:
            status, headers, body = lite.call("GET", path, headers={"Accept": "text/html"})
            assert status == 401, path
            assert headers["Content-Type"].startswith("text/html")
            assert 'action="/auth/login"' in body
        for method, path, payload in CHANGES:
            status, _, body = lite.call(method, path, body=payload)
            assert status == 401, (method, path)
        for path in PUBLIC:
            assert lite.call("GET", path)[0] == 200, path


def test_viewer_reads_but_every_change_is_403(home, dags):
    with Lite(dags, home=home) as lite:
        # A viewer's token is valid: 200 on reads, 403 (not 401) on changes.
        lite.login("viewer", VIEWER_PW)
        wait_until(lambda: registered(lite), message=lite.output)
        assert lite.request("GET", "/api/v2/dags")[0] == 200
        for method, path, payload in CHANGES:
            status, body = lite.request(method, path, payload)
            assert status == 403, (method, path, status, body)
            assert "viewer" in body["detail"]
        assert lite.request("GET", "/api/v2/dags/guarded")[1]["is_paused"] is False
        assert (dags / "guarded" / "dag.py").read_text() == DAG
        assert lite.request("GET", "/api/v2/dags/guarded/dagRuns")[1]["total_entries"] == 0


def test_expired_and_forged_tokens_are_refused(home, dags):
    set_config(home, token_ttl=1)
    with Lite(dags, home=home) as lite:
        token = lite.login("admin", ADMIN_PW)
        key = secret_key(home)
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        assert claims["exp"] - claims["iat"] == 1
        # A token expires by itself (polled, not slept) ...
        wait_until(lambda: lite.request("GET", "/api/v2/dags")[0] == 401, timeout=10)
        status, body = lite.request("GET", "/api/v2/dags")
        assert "expired" in body["detail"]
        # ... a correctly signed one with a past exp is refused at once ...
        now = int(time.time())
        old = dict(claims, iat=now - 100, nbf=now - 100, exp=now - 10)
        hs = {"alg": "HS256", "typ": "JWT"}
        status, body = lite.request("GET", "/api/v2/dags", headers={"Authorization": "Bearer " + forge(key, hs, old)})
        assert status == 401 and "expired" in body["detail"]
        # ... while the same signer with a future exp is accepted: the format is standard.
        fresh = dict(claims, iat=now, nbf=now, exp=now + 600)
        assert lite.request("GET", "/api/v2/dags", headers={"Authorization": "Bearer " + forge(key, hs, fresh)})[0] == 200
        # alg none, another key, a tampered payload.
        none = forge(None, {"alg": "none", "typ": "JWT"}, fresh)
        assert lite.request("GET", "/api/v2/dags", headers={"Authorization": "Bearer " + none})[0] == 401
        assert lite.request("GET", "/api/v2/dags", headers={"Authorization": "Bearer " + forge(b"k" * 32, hs, fresh)})[0] == 401
        good = forge(key, hs, fresh)
        tampered = forge(key, hs, dict(fresh, sub="viewer")).split(".")[:2] + [good.split(".")[2]]
        assert lite.request("GET", "/api/v2/dags", headers={"Authorization": "Bearer " + ".".join(tampered)})[0] == 401


def test_failed_logins_are_throttled_per_client_address(home, dags):
    set_config(home, free_attempts=2, base_delay=30)
    with Lite(dags, home=home) as lite:
        wrong = {"username": "admin", "password": "guess-guess-1"}
        assert lite.request("POST", "/auth/token", wrong)[0] == 401
        assert lite.request("POST", "/auth/token", wrong)[0] == 401
        status, headers, _ = lite.call("POST", "/auth/token", body=wrong)
        assert status == 401 and headers["Retry-After"] == "30"
        # Locked out: even the right password is not checked now.
        status, headers, body = lite.call("POST", "/auth/token", body={"username": "admin", "password": ADMIN_PW})
        assert status == 429
        assert 0 < int(headers["Retry-After"]) <= 30
        assert "try again" in body["detail"]
        # Another client address is not affected (127.0.0.2 reaches 127.0.0.1 on lo).
        status, _, body = lite.call("POST", "/auth/token", body={"username": "admin", "password": ADMIN_PW},
                                    source="127.0.0.2")
        assert status == 201, body


def browser_login(lite, password=ADMIN_PW, next_path="/dags/guarded"):
    status, headers, _ = lite.call("POST", "/auth/login", body=urllib.parse.urlencode(
        {"username": "admin", "password": password, "next": next_path}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
    assert status == 303, status
    assert headers["Location"] == next_path
    cookies = {}
    for value in headers.get_all("Set-Cookie"):
        name, rest = value.split("=", 1)
        cookies[name] = (rest.split(";", 1)[0], value)
    return cookies


def test_browser_session_cookies_and_csrf_refusal_of_a_cross_site_write(home, dags):
    with Lite(dags, home=home) as lite:
        cookies = browser_login(lite)
        session, session_attrs = cookies["leoflow_session"]
        csrf, csrf_attrs = cookies["leoflow_csrf"]
        assert "HttpOnly" in session_attrs and "SameSite=Strict" in session_attrs
        assert "HttpOnly" not in csrf_attrs and "SameSite=Strict" in csrf_attrs
        jar = f"leoflow_session={session}; leoflow_csrf={csrf}"
        wait_until(lambda: lite.call("GET", "/api/v2/dags/guarded", headers={"Cookie": jar})[0] == 200,
                   message=lite.output)

        # What a form on another site can make the browser send: the cookies
        # (had SameSite not stopped them), never the header.
        status, _, body = lite.call("PATCH", "/api/v2/dags/guarded", body={"is_paused": True}, headers={
            "Cookie": jar, "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
        assert status == 403 and "cross-site" in body["detail"]
        status, _, body = lite.call("PATCH", "/api/v2/dags/guarded", body={"is_paused": True},
                                    headers={"Cookie": jar})
        assert status == 403 and "CSRF" in body["detail"]
        # A cross-site form can neither trigger a run nor save a file.
        status, _, body = lite.call("POST", "/api/v2/dags/guarded/dagRuns", body="{}", headers={
            "Cookie": jar, "Content-Type": "text/plain"})
        assert status == 403
        save = {"root": 0, "path": "guarded/dag.py", "content": "# overwritten\n", "force": True}
        status, _, body = lite.call("PUT", "/api/v2/ide/file", body=save, headers={"Cookie": jar})
        assert status == 403 and "CSRF" in body["detail"]
        assert (dags / "guarded" / "dag.py").read_text() == DAG
        assert lite.call("GET", "/api/v2/dags/guarded/dagRuns", headers={"Cookie": jar})[2]["total_entries"] == 0
        assert lite.call("GET", "/api/v2/dags/guarded", headers={"Cookie": jar})[2]["is_paused"] is False

        # The UI's own request carries the header and goes through.
        status, _, body = lite.call("PATCH", "/api/v2/dags/guarded", body={"is_paused": True}, headers={
            "Cookie": jar, "X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin"})
        assert status == 200 and body["is_paused"] is True
        status, _, body = lite.call("PUT", "/api/v2/ide/file", body=dict(save, content=DAG + "# saved\n"),
                                    headers={"Cookie": jar, "X-CSRF-Token": csrf})
        assert status == 200, body
        assert (dags / "guarded" / "dag.py").read_text().endswith("# saved\n")

        status, _, me = lite.call("GET", "/auth/me", headers={"Cookie": jar})
        assert status == 200 and me["username"] == "admin" and me["csrf_token"] == csrf

        # Sign out: both cookies are cleared.
        status, headers, _ = lite.call("POST", "/auth/logout", headers={"Cookie": jar})
        assert status == 204
        cleared = headers.get_all("Set-Cookie")
        assert any(c.startswith("leoflow_session=;") and "Max-Age=0" in c for c in cleared)
        assert any(c.startswith("leoflow_csrf=;") and "Max-Age=0" in c for c in cleared)


def test_reset_password_is_accepted_by_the_running_server_and_revokes_old_tokens(home, dags):
    with Lite(dags, home=home) as lite:
        old_token = lite.login("admin", ADMIN_PW)
        cookies = browser_login(lite)
        jar = f"leoflow_session={cookies['leoflow_session'][0]}"
        assert lite.request("GET", "/api/v2/dags")[0] == 200
        assert lite.call("GET", "/api/v2/dags", headers={"Cookie": jar})[0] == 200

        r = leoflow("lite", "reset-password", home=home)
        assert r.returncode == 0, r.stderr
        new_password = r.stdout.strip()
        assert len(new_password) >= 20 and "\n" not in new_password
        assert "no longer work" in r.stderr

        # At once, without a restart: old token and old session refused ...
        status, body = lite.request("GET", "/api/v2/dags", headers={"Authorization": f"Bearer {old_token}"})
        assert status == 401 and "password was changed" in body["detail"]
        assert lite.call("GET", "/api/v2/dags", headers={"Cookie": jar})[0] == 401
        # ... the old password refused, the new one accepted.
        assert lite.request("POST", "/auth/token", {"username": "admin", "password": ADMIN_PW})[0] == 401
        lite.login("admin", new_password)
        assert lite.request("GET", "/api/v2/dags")[0] == 200
        assert new_password not in lite.output()


def test_reset_password_needs_a_configured_user(tmp_path):
    r = leoflow("lite", "reset-password", home=tmp_path / "empty")
    assert r.returncode == 1
    assert "no login is configured" in r.stderr and "leoflow setup" in r.stderr
    r = leoflow("lite", "reset-password", "--user", "ghost", home=tmp_path / "empty")
    assert r.returncode == 1


def connectable(host, port):
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except OSError:
        return False


def test_without_an_admin_lite_is_forced_to_loopback(tmp_path, dags):
    with Lite(dags, home=str(tmp_path / "fresh"), args=["--host", "0.0.0.0"]) as lite:
        assert lite.base.startswith("http://127.0.0.1:")
        out = lite.output()
        assert "--host 0.0.0.0 was changed to 127.0.0.1" in out
        assert "no login configured" in out
        port = urllib.parse.urlsplit(lite.base).port
        # Bound to 127.0.0.1 only: another local address is refused.
        assert not connectable("127.0.0.2", port)
        # No login: the API is open (to this machine).
        assert lite.request("GET", "/api/v2/dags")[0] == 200


def test_with_an_admin_all_interfaces_are_bound_and_guarded(home, dags):
    with Lite(dags, home=home, args=["--host", "0.0.0.0"]) as lite:
        assert lite.base.startswith("http://0.0.0.0:")
        out = lite.output()
        port = urllib.parse.urlsplit(lite.base).port
        assert "was changed to 127.0.0.1" not in out
        lite.wait_for_line(r"reachable at http://127\.0\.0\.1:%d/" % port)
        lite.wait_for_line(r"trusted network.*ssh -L %d:localhost:%d" % (port, port))
        assert connectable("127.0.0.2", port)
        status, _, _ = http_call(f"http://127.0.0.2:{port}", "GET", "/api/v2/dags")
        assert status == 401


def test_a_broken_config_refuses_to_start_naming_the_key(home, dags):
    set_config(home, token_ttl="forever")
    r = leoflow("lite", str(dags), "--port", "0", home=home, timeout=60)
    assert r.returncode == 1
    assert "auth.token_ttl" in r.stderr
