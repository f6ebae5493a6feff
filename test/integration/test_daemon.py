"""`leoflow-server --config FILE`, the real binary: it serves the engine,
speaks the systemd notify protocol, logs with syslog priorities, re-reads its
config on SIGHUP, stops cleanly on a real SIGTERM and refuses an invalid
config naming the key.

systemd cannot run here (it is not PID 1), so the notify protocol is tested
the way systemd receives it: NOTIFY_SOCKET points at a Unix datagram socket
this test owns, and the test reads what the daemon sends."""
import os
import re
import signal
import socket
import subprocess
import threading

import pytest

from lite import BIN_DIR, http_call, setup_user, wait_until

DAG = '''\
from datetime import datetime
from airflow.sdk import dag, task

@dag(schedule=None, start_date=datetime(2025, 1, 1))
def daemon_dag():
    @task
    def hello():
        return 1
    hello()

daemon_dag()
'''


class NotifySocket:
    """The service manager's end of sd_notify: collects every datagram."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.05)
        self.messages = []

    def poll(self):
        try:
            while True:
                self.messages.append(self.sock.recv(4096).decode())
        except (socket.timeout, BlockingIOError):
            pass
        return self.messages

    def wait_for(self, needle, timeout=30, start=0):
        return wait_until(lambda: next((m for m in self.poll()[start:] if needle in m), None), timeout,
                          lambda: f"no notify message with {needle!r}; got {self.messages}")

    def close(self):
        self.sock.close()


class Daemon:
    """One leoflow-server process; stderr collected line by line."""

    def __init__(self, config, env=None):
        self.lines = []
        self._lock = threading.Lock()
        full_env = dict(os.environ)
        full_env.pop("NOTIFY_SOCKET", None)
        full_env.pop("LEOFLOW_HOME", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen([os.path.join(BIN_DIR, "leoflow-server"), "--config", str(config)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=full_env, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def output(self):
        with self._lock:
            return "\n".join(self.lines)

    def wait_for_line(self, pattern, timeout=30):
        rx = re.compile(pattern)
        return wait_until(lambda: next((l for l in list(self.lines) if rx.search(l)), None), timeout,
                          lambda: f"no line matching {pattern!r} in:\n{self.output()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def write_config(path, home, dags, port=0, extra=""):
    path.write_text(f"""\
listen:
  host: 127.0.0.1
  port: {port}
dag_folders:
  - {dags}
home: {home}
executor: subprocess
log_level: info
shutdown_grace: 5
{extra}""")
    return path


@pytest.fixture
def layout(tmp_path):
    dags = tmp_path / "dags"
    (dags / "daemon_dag").mkdir(parents=True)
    (dags / "daemon_dag" / "dag.py").write_text(DAG)
    home = tmp_path / "state"
    return tmp_path, dags, home


def test_notify_protocol_logging_sighup_and_a_clean_sigterm(layout):
    tmp, dags, home = layout
    config = write_config(tmp / "server.yaml", home, dags)
    notify = NotifySocket(tmp / "notify.sock")
    daemon = Daemon(config, env={"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"})
    try:
        ready = notify.wait_for("READY=1")
        status = re.search(r"STATUS=serving (http://[^ ]+) ", ready)
        assert status, ready
        base = status.group(1)
        # Listening when READY arrives: no polling for the port.
        assert http_call(base, "GET", "/api/v2/monitor/health")[0] == 200
        wait_until(lambda: http_call(base, "GET", "/api/v2/dags/daemon_dag")[0] == 200, message=daemon.output)
        # The state went where the config says, with the engine's layout.
        assert os.path.isfile(home / "dev" / "lite.db")
        # Watchdog keep-alives every half WATCHDOG_USEC.
        notify.wait_for("WATCHDOG=1")
        # journald's priority prefixes: info <6>, warning <4>.
        daemon.wait_for_line(r"^<6>Leoflow Lite .* listening on http://127\.0\.0\.1:\d+")
        daemon.wait_for_line(r"^<4>! no login configured")
        assert not any(re.match(r"^\[\d\d:\d\d:\d\d\]", l) for l in daemon.lines)  # no terminal timestamps

        # SIGHUP: RELOADING, the new log_level applied, READY again.
        config.write_text(config.read_text().replace("log_level: info", "log_level: debug")
                          .replace("port: 0", "port: 1"))
        mark = len(notify.poll())
        daemon.proc.send_signal(signal.SIGHUP)
        notify.wait_for("RELOADING=1", start=mark)
        notify.wait_for("READY=1", start=mark + 1)
        daemon.wait_for_line(r"^<6>SIGHUP: configuration re-read; log_level is now debug")
        daemon.wait_for_line(r"^<4>! SIGHUP: listen changed and takes effect at the next restart")
        assert daemon.proc.poll() is None

        # A real SIGTERM: STOPPING, exit 0, the store intact.
        daemon.proc.send_signal(signal.SIGTERM)
        notify.wait_for("STOPPING=1")
        assert daemon.proc.wait(30) == 0
        assert "<6>stopped" in daemon.output()
        import sqlite3
        db = sqlite3.connect(home / "dev" / "lite.db")
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM dag WHERE dag_id = 'daemon_dag'").fetchone()[0] == 1
        db.close()
    finally:
        daemon.stop()
        notify.close()


def test_log_level_warning_keeps_only_warnings_and_failures(layout):
    tmp, dags, home = layout
    config = write_config(tmp / "server.yaml", home, dags)
    config.write_text(config.read_text().replace("log_level: info", "log_level: warning"))
    daemon = Daemon(config)
    try:
        # The no-login warning comes after the listening line on the same
        # stream: once it is read, the muted info line would have been too.
        daemon.wait_for_line(r"^<4>! no login configured")
        assert "listening on" not in daemon.output()
        assert not any(l.startswith("<6>") for l in daemon.lines)
    finally:
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.proc.wait(30) == 0
        daemon.stop()


def test_the_daemon_uses_the_login_of_its_home(layout):
    tmp, dags, home = layout
    setup_user(home, "admin", "daemon-pass-123")
    config = write_config(tmp / "server.yaml", home, dags, extra="")
    config.write_text(config.read_text().replace("host: 127.0.0.1", "host: 0.0.0.0"))
    daemon = Daemon(config)
    try:
        line = daemon.wait_for_line(r"listening on (http://0\.0\.0\.0:\d+)")
        base = re.search(r"(http://0\.0\.0\.0:\d+)", line).group(1)
        daemon.wait_for_line(r"^<4>! listening on 0\.0\.0\.0 beyond this machine")
        assert http_call(base, "GET", "/api/v2/dags")[0] == 401
        status, _, body = http_call(base, "POST", "/auth/token", body={"username": "admin", "password": "daemon-pass-123"})
        assert status == 201
        assert "daemon-pass-123" not in daemon.output() and body["access_token"] not in daemon.output()
    finally:
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.proc.wait(30) == 0
        daemon.stop()


BLOCKING_DAG = '''\
import os
import time
from datetime import datetime
from airflow.sdk import dag, task

@dag(schedule=None, start_date=datetime(2025, 1, 1))
def blocking():
    @task
    def wait_for_release():
        with open({started!r}, "w") as f:
            f.write(str(os.getpid()))
        # The workload: runs until the test releases it.
        while not os.path.exists({release!r}):
            time.sleep(0.02)
        return "released"

    wait_for_release()

blocking()
'''


def start_blocking_run(tmp, grace):
    """A daemon with one DAG whose only task runs until `release` exists;
    returns (daemon, notify, base, started, release, home) once the task runs."""
    dags = tmp / "dags"
    started, release = tmp / "task-started", tmp / "task-release"
    (dags / "blocking").mkdir(parents=True)
    (dags / "blocking" / "dag.py").write_text(BLOCKING_DAG.format(started=str(started), release=str(release)))
    home = tmp / "state"
    config = write_config(tmp / "server.yaml", home, dags)
    config.write_text(config.read_text().replace("shutdown_grace: 5", f"shutdown_grace: {grace}"))
    notify = NotifySocket(tmp / "notify.sock")
    daemon = Daemon(config, env={"NOTIFY_SOCKET": notify.path})
    base = re.search(r"STATUS=serving (http://[^ ]+) ", notify.wait_for("READY=1")).group(1)
    wait_until(lambda: http_call(base, "GET", "/api/v2/dags/blocking")[0] == 200, 120, daemon.output)
    status, _, run = http_call(base, "POST", "/api/v2/dags/blocking/dagRuns", body={"logical_date": None})
    assert status == 200, run
    wait_until(lambda: started.exists() and started.read_text(), 120, daemon.output)
    return daemon, notify, started, release, home


def task_state(home):
    import sqlite3
    db = sqlite3.connect(home / "dev" / "lite.db", timeout=30)
    try:
        return db.execute("SELECT state FROM task_instance WHERE dag_id = 'blocking'").fetchone()[0]
    finally:
        db.close()


def pid_alive(pid):
    """Running (a zombie waiting to be reaped by init has stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_sigterm_lets_a_running_task_finish_within_the_grace_period(tmp_path):
    daemon, notify, started, release, home = start_blocking_run(tmp_path, grace=120)
    try:
        daemon.proc.send_signal(signal.SIGTERM)
        notify.wait_for("STOPPING=1")
        # Stopping, but waiting for the task: still running after STOPPING=1.
        assert daemon.proc.poll() is None
        release.touch()
        assert daemon.proc.wait(60) == 0
        assert task_state(home) == "success"
    finally:
        release.touch()
        daemon.stop()
        notify.close()


def test_after_the_grace_period_running_tasks_are_stopped(tmp_path):
    daemon, notify, started, release, home = start_blocking_run(tmp_path, grace=1)
    try:
        pid = int(started.read_text())
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.proc.wait(60) == 0
        # Killed on the way out; its exit may take a moment to show.
        wait_until(lambda: not pid_alive(pid), 10, f"task process {pid} outlived the daemon")
        assert task_state(home) != "success"
    finally:
        release.touch()
        daemon.stop()
        notify.close()


def test_a_second_signal_stops_at_once(tmp_path):
    daemon, notify, started, release, home = start_blocking_run(tmp_path, grace=600)
    try:
        daemon.proc.send_signal(signal.SIGTERM)
        notify.wait_for("STOPPING=1")
        assert daemon.proc.poll() is None  # the grace period (10 minutes) has begun
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.proc.wait(30) == 0  # well before the grace period ends
    finally:
        release.touch()
        daemon.stop()
        notify.close()


CONFIG_ERRORS = [
    ("listen:\n  prot: 80\n", "listen.prot: unknown key"),
    ("listen:\n  port: 70000\n", "listen.port: 70000 is outside 0..65535"),
    ("listen:\n  host: example.com\n", "listen.host: 'example.com' is not an IP address"),
    ("executor: celery\n", "executor: 'celery' is not subprocess or kubernetes"),
    ("log_level: loud\n", "log_level: 'loud' is not debug, info or warning"),
    ("shutdown_grace: soon\n", "shutdown_grace: 'soon' is not a whole number"),
    ("dag_folder: /x\n", "dag_folder: unknown key"),
    ("listen: [1\n", "(syntax)"),
]


@pytest.mark.parametrize("snippet,message", CONFIG_ERRORS)
def test_an_invalid_config_refuses_to_start_naming_the_key(layout, snippet, message):
    tmp, dags, home = layout
    base = f"dag_folders: [{dags}]\nhome: {home}\n"
    config = tmp / "server.yaml"
    # The bad key replaces a good one of the same name, or is added.
    config.write_text(base + snippet)
    r = subprocess.run([os.path.join(BIN_DIR, "leoflow-server"), "--config", str(config)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 78, r.stderr
    assert message in r.stderr
    assert r.stderr.startswith("<3>✗ invalid configuration")


def test_missing_folders_and_files_are_config_errors(layout):
    tmp, dags, home = layout
    run = lambda *args: subprocess.run([os.path.join(BIN_DIR, "leoflow-server"), *map(str, args)],
                                       capture_output=True, text=True, timeout=60)
    r = run("--config", tmp / "nope.yaml")
    assert r.returncode == 78 and "nope.yaml does not exist" in r.stderr
    config = tmp / "server.yaml"
    config.write_text(f"dag_folders: [{tmp / 'missing'}]\nhome: {home}\n")
    r = run("--config", config)
    assert r.returncode == 78 and "dag_folders[0]:" in r.stderr and "is not a folder" in r.stderr
    config.write_text(f"home: {home}\n")
    r = run("--config", config)
    assert r.returncode == 78 and "dag_folders: is missing" in r.stderr
    # --check validates without starting; relative paths are relative to the file.
    config.write_text("dag_folders: [dags]\nhome: state\n")
    r = run("--config", config, "--check")
    assert r.returncode == 0 and "valid" in r.stdout
    assert run("--bogus").returncode == 2
    assert "shutdown_grace" in run("--help").stdout
