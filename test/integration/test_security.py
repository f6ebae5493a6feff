"""Issue 14's findings, tried again against the real `leoflow lite` as an
attacker on 127.0.0.1 would: a DNS-rebinding page, cross-site writes, raced
logins, secrets in logs, rendered fields, XCom and import errors, the
parser's environment, file modes, sign-out, bodies read before
authentication and unbounded event streams. Each test failed on the code
before the fix."""
import concurrent.futures
import json
import os
import socket
import stat
import time
import urllib.parse

import pytest

from lite import Lite, http_call, q, setup_user, wait_until
from runs import log_text, task_instance, trigger, wait_registered, wait_run, write_project, xcom

ADMIN_PW = "admin-secret-1414"

HELLO = '''\
from datetime import datetime
from airflow.sdk import dag, task

@dag(schedule=None, start_date=datetime(2025, 1, 1))
def hello():
    @task
    def say():
        return 1
    say()

hello()
'''


@pytest.fixture
def dags(tmp_path):
    root = tmp_path / "dags"
    root.mkdir()
    write_project(root, "hello", HELLO)
    return root


@pytest.fixture
def lite(dags):
    with Lite(dags) as server:
        wait_registered(server, "hello")
        yield server


def port_of(lite):
    return urllib.parse.urlsplit(lite.base).port


def rebinding_headers(lite, name):
    host = f"{name}:{port_of(lite)}"
    return {"Host": host, "Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"}


# --- 1 and 2: DNS rebinding, and the Host check everywhere ---------------------

@pytest.mark.parametrize("name", ["127.1.attacker.example", "localhost.attacker.example"])
def test_a_rebinding_page_cannot_write_a_dag_through_the_ide(lite, dags, name):
    headers = rebinding_headers(lite, name)
    status, _, body = http_call(lite.base, "POST", "/api/v2/ide/folder", {"root": 0, "path": "pwned"}, headers)
    assert status == 403, body
    status, _, body = http_call(lite.base, "POST", "/api/v2/ide/file",
                                {"root": 0, "path": "pwned/dag.py", "content": "import os\nos.system('id')\n"},
                                headers)
    assert status == 403, body
    assert "does not name this server" in body["detail"]
    assert not (dags / "pwned").exists()


@pytest.mark.parametrize("name", ["127.1.attacker.example", "localhost.attacker.example", "evil.example"])
def test_a_foreign_host_reaches_no_route(lite, name):
    headers = rebinding_headers(lite, name)
    for path in ["/api/v2/dags", "/api/v2/connections", "/api/v2/variables", "/ui/events",
                 "/api/v2/dags/hello/dagRuns", "/", "/ide", "/api/v2/monitor/health"]:
        assert http_call(lite.base, "GET", path, headers=headers)[0] == 403, path
    status, _, _ = http_call(lite.base, "POST", "/api/v2/variables", {"key": "planted", "value": "x"}, headers)
    assert status == 403
    assert lite.get("/api/v2/variables/planted")[0] == 404
    # The server's own names keep working.
    for host in [f"localhost:{port_of(lite)}", f"127.0.0.1:{port_of(lite)}", f"127.0.0.5:{port_of(lite)}"]:
        assert http_call(lite.base, "GET", "/api/v2/dags", headers={"Host": host})[0] == 200, host


# --- 3: cross-site writes without a login -------------------------------------

def test_cross_site_posts_create_nothing_and_trigger_nothing(lite):
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    conn = json.dumps({"connection_id": "planted", "conn_type": "http", "password": "x"})
    status, _, body = http_call(lite.base, "POST", "/api/v2/connections", conn,
                                {**evil, "Content-Type": "text/plain"})
    assert status == 403, body
    status, _, body = http_call(lite.base, "POST", "/api/v2/dags/hello/dagRuns",
                                json.dumps({"conf": {"cmd": "rm -rf /"}}), {**evil, "Content-Type": "text/plain"})
    assert status == 403, body
    # A form post, as a plain <form action=...> sends it.
    status, _, _ = http_call(lite.base, "POST", "/api/v2/variables", "key=planted&value=x",
                             {**evil, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    # Without Origin (an old browser, a no-cors fetch stripped of it) the body type is refused.
    status, _, body = http_call(lite.base, "POST", "/api/v2/connections", conn, {"Content-Type": "text/plain"})
    assert status == 415, body
    assert "application/json" in body["detail"]
    assert lite.get("/api/v2/connections/planted")[0] == 404
    assert lite.get("/api/v2/variables/planted")[0] == 404
    assert lite.get("/api/v2/dags/hello/dagRuns")[1]["total_entries"] == 0
    # The UI's own request and a script's still work.
    same = {"Origin": lite.base, "Sec-Fetch-Site": "same-origin"}
    assert http_call(lite.base, "POST", "/api/v2/variables", {"key": "mine", "value": "1"}, same)[0] == 201
    assert lite.request("POST", "/api/v2/variables", {"key": "script", "value": "1"})[0] == 201


# --- 4: the login throttle under concurrent guesses -----------------------------

def test_concurrent_wrong_passwords_each_cost_an_attempt(tmp_path, dags):
    home = tmp_path / "home"
    setup_user(home, "admin", ADMIN_PW)
    setup_user(home, "alice", "alice-secret-55")
    with Lite(dags, home=str(home)) as lite:
        def guess(i):
            return http_call(lite.base, "POST", "/auth/token", {"username": "admin", "password": f"guess-{i}"})[0]
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(guess, range(20)))
        assert statuses.count(401) + statuses.count(429) == 20, statuses
        # Five free attempts and the one that starts the lock-out, at most.
        assert statuses.count(401) <= 6, statuses
        # The flood on one name leaves another user's sign-in alone.
        assert http_call(lite.base, "POST", "/auth/token",
                         {"username": "alice", "password": "alice-secret-55"}, source="127.0.0.9")[0] == 201


# --- 5: secrets masked wherever they are shown ----------------------------------

LONG_SECRET = "L0ng-" + "x7" * 120
SHORT_SECRET = "s3cr5"
VAR_SECRET = "var-secret-value-42"
JSON_SECRET = "json-nested-token-77"

LEAKY = '''\
import sys
from datetime import datetime
from airflow.sdk import dag, task, Variable
from airflow.hooks.base import BaseHook
from airflow.operators.bash import BashOperator

@dag(schedule=None, start_date=datetime(2025, 1, 1))
def leaky():
    @task
    def show():
        c = BaseHook.get_connection("db")
        print("password is", c.password)
        print("short one:", BaseHook.get_connection("short").password)
        half = len(c.password) // 2
        sys.stdout.write("split: " + c.password[:half])
        sys.stdout.flush()
        sys.stdout.write(c.password[half:] + " done\\n")
        sys.stdout.flush()
        print("variable:", Variable.get("api_secret"))
        print("json variable:", Variable.get("settings"))
        return {"pw_len": len(c.password), "echo": c.password}

    @task
    def boom():
        raise ValueError("cannot connect with " + BaseHook.get_connection("db").password)

    bash = BashOperator(task_id="bash", bash_command="echo {{ conn.db.password }} > /dev/null; echo ran")
    show() >> boom()
    bash

leaky()
'''


def test_secrets_never_reach_logs_rendered_fields_or_xcom(tmp_path):
    root = tmp_path / "dags"
    write_project(root, "leaky", LEAKY)
    with Lite(root) as lite:
        wait_registered(lite, "leaky")
        for conn in [{"connection_id": "db", "conn_type": "postgres", "password": LONG_SECRET},
                     {"connection_id": "short", "conn_type": "http", "password": SHORT_SECRET}]:
            assert lite.request("POST", "/api/v2/connections", conn)[0] == 201
        assert lite.request("POST", "/api/v2/variables", {"key": "api_secret", "value": VAR_SECRET})[0] == 201
        assert lite.request("POST", "/api/v2/variables",
                            {"key": "settings", "value": json.dumps({"token": JSON_SECRET, "region": "eu"})})[0] == 201
        run = trigger(lite, "leaky")
        wait_run(lite, "leaky", run["dag_run_id"])
        secrets = [LONG_SECRET, SHORT_SECRET, VAR_SECRET, JSON_SECRET]

        show = log_text(lite, "leaky", run["dag_run_id"], "show")
        assert "password is ***" in show, show
        assert "split: *** done" in show, show
        assert "variable: ***" in show
        assert '"region": "eu"' in show  # only the secret part of the JSON
        boom = log_text(lite, "leaky", run["dag_run_id"], "boom")
        assert "ValueError: cannot connect with ***" in boom, boom
        bash = task_instance(lite, "leaky", run["dag_run_id"], "bash")
        assert "echo *** > /dev/null" in json.dumps(bash["rendered_fields"]), bash["rendered_fields"]
        value = xcom(lite, "leaky", run["dag_run_id"], "show")
        # The task had the real value; the API shows it masked.
        assert value["pw_len"] == len(LONG_SECRET)
        assert value["echo"] == "***"
        shown = " ".join([show, boom, json.dumps(bash), json.dumps(value), lite.output()])
        for secret in secrets:
            assert secret not in shown, secret
        # The log files on disk are masked too.
        logs = os.path.join(lite.home, "dev", "logs", "leaky")
        for folder, _, files in os.walk(logs):
            for name in files:
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                for secret in secrets:
                    assert secret not in text, (name, secret)
        # Sensitive variable values and connection extras read as *** through the API too.
        assert lite.get("/api/v2/variables/api_secret")[1]["value"] == "***"
        assert JSON_SECRET not in json.dumps(lite.get("/api/v2/variables/settings")[1])


def test_an_import_error_does_not_show_the_secrets_it_quotes(tmp_path):
    root = tmp_path / "dags"
    secret = "env-conn-password-93"
    write_project(root, "broken", '''\
        import os
        raise RuntimeError("cannot reach " + os.environ["AIRFLOW_CONN_WAREHOUSE"])
    ''')
    env = {"AIRFLOW_CONN_WAREHOUSE": f"postgresql://etl:{secret}@db.example:5432/wh"}
    with Lite(root, env=env) as lite:
        errors = wait_until(lambda: lite.get("/api/v2/importErrors")[1]["import_errors"], 60,
                            lambda: lite.output())
        trace = errors[0]["stack_trace"]
        assert "RuntimeError: cannot reach postgresql://etl:***@db.example" in trace, trace
        assert secret not in trace
        assert secret not in lite.output()


# --- 6: the parser's environment ------------------------------------------------

def test_dag_parsing_does_not_see_the_servers_environment(tmp_path):
    root = tmp_path / "dags"
    write_project(root, "snoop", '''\
        import os
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2025, 1, 1),
             doc_md="server says: " + os.environ.get("LEOFLOW_TEST_SERVER_SECRET", "nothing")
                    + " / path: " + ("yes" if os.environ.get("PATH") else "no"))
        def snoop():
            @task
            def t():
                return 1
            t()

        snoop()
    ''')
    with Lite(root, env={"LEOFLOW_TEST_SERVER_SECRET": "server-only-value"}) as lite:
        wait_registered(lite, "snoop")
        doc = lite.get("/api/v2/dags/snoop/details")[1]["doc_md"]
        assert doc == "server says: nothing / path: yes", doc


# --- 7: file modes --------------------------------------------------------------

def test_state_is_private_whatever_the_umask_and_old_state_is_tightened(tmp_path, dags):
    home = tmp_path / "home"
    (home / "dev" / "logs" / "old").mkdir(parents=True)
    (home / "dev").chmod(0o755)
    old_log = home / "dev" / "logs" / "old" / "1.log"
    old_log.write_text("{}\n")
    old_log.chmod(0o644)
    previous = os.umask(0o022)
    try:
        with Lite(dags, home=str(home)) as lite:
            wait_registered(lite, "hello")
            run = trigger(lite, "hello")
            wait_run(lite, "hello", run["dag_run_id"])
            assert "private to you" in lite.output()
            checked = []
            for folder, dirs, files in os.walk(home / "dev"):
                parent = os.path.basename(os.path.dirname(folder))
                if parent == "venvs" or os.path.basename(folder) == "pycache":
                    # A virtualenv or byte-code cache is written by Python and
                    # pip themselves: its private folder is the fence.
                    dirs[:] = []
                    files = []
                mode = stat.S_IMODE(os.stat(folder).st_mode)
                assert mode & 0o077 == 0, (folder, oct(mode))
                for name in files:
                    path = os.path.join(folder, name)
                    if os.path.islink(path):
                        continue
                    mode = stat.S_IMODE(os.lstat(path).st_mode)
                    assert mode & 0o077 == 0, (path, oct(mode))
                    checked.append(name)
            assert "lite.db" in checked and "1.log" in checked
            assert any(n.endswith("-wal") for n in checked), checked
    finally:
        os.umask(previous)


# --- 8: sign-out, and bodies read before authentication -------------------------

def test_signing_out_ends_the_token_even_after_a_restart(tmp_path, dags):
    home = tmp_path / "home"
    setup_user(home, "admin", ADMIN_PW)
    with Lite(dags, home=str(home)) as lite:
        token = lite.login("admin", ADMIN_PW)
        auth = {"Authorization": f"Bearer {token}"}
        assert http_call(lite.base, "GET", "/api/v2/dags", headers=auth)[0] == 200
        assert http_call(lite.base, "POST", "/auth/logout", headers=auth)[0] == 204
        status, _, body = http_call(lite.base, "GET", "/api/v2/dags", headers=auth)
        assert status == 401 and "signing out" in body["detail"], body
    with Lite(dags, home=str(home)) as lite:
        assert http_call(lite.base, "GET", "/api/v2/dags", headers=auth)[0] == 401


def test_an_unauthenticated_body_is_refused_before_it_is_sent(tmp_path, dags):
    home = tmp_path / "home"
    setup_user(home, "admin", ADMIN_PW)
    with Lite(dags, home=str(home)) as lite:
        port = port_of(lite)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            # 8 MiB announced, nothing sent: the answer must come anyway.
            s.sendall(f"POST /api/v2/connections HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {8 * 1024 * 1024 - 1}\r\n\r\n".encode())
            answer = s.recv(4096).decode(errors="replace")
        assert answer.startswith("HTTP/1.1 401"), answer
        # With a token, curl's Expect: 100-continue is answered, then the body read.
        token = lite.login("admin", ADMIN_PW)
        body = json.dumps({"connection_id": "c1", "conn_type": "http"}).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"POST /api/v2/connections HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                      f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n".encode())
            assert s.recv(4096).startswith(b"HTTP/1.1 100 Continue")
            s.sendall(body)
            assert s.recv(4096).startswith(b"HTTP/1.1 201")


# --- event streams per user -----------------------------------------------------

def test_event_streams_are_bounded_per_client(lite):
    port = port_of(lite)
    streams = []
    try:
        for _ in range(16):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(f"GET /ui/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
            streams.append(s)
        status, _, body = http_call(lite.base, "GET", "/ui/events")
        assert status == 429, body
        # Another client address is not affected.
        with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.3", 0)) as s:
            s.sendall(f"GET /ui/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        for s in streams:
            s.close()
    # Closed streams give their slots back.
    def reopened():
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"GET /ui/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            return s.recv(4096).startswith(b"HTTP/1.1 200")
    # A stream notices its client left at the next keep-alive (15 s).
    wait_until(reopened, 40, "the slots of closed streams were not given back")


def test_a_secret_created_after_the_log_was_written_is_masked_when_read(tmp_path):
    root = tmp_path / "dags"
    write_project(root, "early", '''\
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2025, 1, 1))
        def early():
            @task
            def say():
                print("the token will be tok-later-2024")
            say()

        early()
    ''')
    with Lite(root) as lite:
        wait_registered(lite, "early")
        run = trigger(lite, "early")
        wait_run(lite, "early", run["dag_run_id"])
        assert "tok-later-2024" in log_text(lite, "early", run["dag_run_id"], "say")
        assert lite.request("POST", "/api/v2/variables", {"key": "later_token", "value": "tok-later-2024"})[0] == 201
        wait_until(lambda: "tok-later-2024" not in log_text(lite, "early", run["dag_run_id"], "say"), 20,
                   "a secret created after the log was written still shows")
        assert "the token will be ***" in log_text(lite, "early", run["dag_run_id"], "say")
