"""The fork server (`python -m leoflow_forkserver`) against the CLI entry points: the same results and
output for tasks and parses, isolation of each child, concurrency, exit replies, bad requests, EOF."""
import json
import os
import select
import signal
import subprocess
import time

import pytest

from conftest import PYTHON, run_parser, run_task, sdk_env, task_payload, write_dag

TIMEOUT = 60

DAG_SOURCE = '''
import os
import signal
import sys
from airflow.sdk import DAG, task
from airflow.operators.bash import BashOperator

with DAG("fs", params={"name": "world"}):
    @task
    def extract():
        return {"a": 1}

    @task
    def transform(data, ti=None):
        print("transforming", data)
        ti.xcom_push(key="seen", value=data["a"])
        return data["a"] * 10

    @task
    def failing():
        print("about to fail", file=sys.stderr)
        raise ValueError("always fails")

    @task
    def killed():
        os.kill(os.getpid(), signal.SIGKILL)

    @task
    def surroundings():
        import __main__
        handlers = {}
        for name in ("SIGINT", "SIGTERM", "SIGCHLD", "SIGPIPE", "SIGHUP", "SIGUSR1"):
            handler = signal.getsignal(getattr(signal, name))
            handlers[name] = str(handler) if handler in (signal.SIG_DFL, signal.SIG_IGN) else type(handler).__name__
        return {"argv": sys.argv, "path": sys.path[:3], "main": [__main__.__name__, __main__.__file__,
                __main__.__spec__.name], "cwd": os.getcwd(), "marker": os.environ.get("LEOFLOW_MARKER"),
                "pycache_prefix": sys.pycache_prefix, "handlers": handlers, "stdin": os.read(0, 100).decode(),
                "mask": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
                "fds": sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
                "modules": [name for name in ("jinja2", "logging", "threading", "random") if name in sys.modules]}

    @task
    def identity():
        return {"pid": os.getpid(), "pgid": os.getpgid(0), "stdin": os.readlink("/proc/self/fd/0"),
                "stdout": os.readlink("/proc/self/fd/1"),
                "mask": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))}

    @task
    def wait_for_go(go):
        import select
        # Opened before saying so: the test releases every waiting task by opening and closing the FIFO.
        fd = os.open(go, os.O_RDONLY | os.O_NONBLOCK)
        print("started", flush=True)
        ready, _, _ = select.select([fd], [], [], 60)
        return bool(ready)

    extract() >> transform({"a": 4}) >> failing() >> killed() >> surroundings() >> identity()
    wait_for_go("/nonexistent")
    BashOperator(task_id="bash", bash_command="echo hello {{ params.name }} $AIRFLOW_CTX_TASK_ID; echo to-err >&2")
'''


class ForkServer:
    """A running `python -m leoflow_forkserver`; replies are read with deadlines, kept by id."""

    def __init__(self, cwd, preexec_fn=None):
        self.process = subprocess.Popen([PYTHON, "-m", "leoflow_forkserver"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, cwd=cwd, env=sdk_env(), preexec_fn=preexec_fn)
        self.buffer = b""
        self.backlog = []
        self.ready = self.next_reply()

    def send(self, request):
        line = request if isinstance(request, str) else json.dumps(request)
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def next_reply(self):
        deadline = time.monotonic() + TIMEOUT
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            assert remaining > 0, "no reply from the fork server in time"
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                data = os.read(fd, 65536)
                if not data:
                    raise EOFError("the fork server closed its stdout")
                self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def _reply(self, request_id, wanted):
        for reply in self.backlog:
            if reply.get("id") == request_id and wanted(reply):
                self.backlog.remove(reply)
                return reply
        while True:
            reply = self.next_reply()
            if reply.get("id") == request_id and wanted(reply):
                return reply
            self.backlog.append(reply)

    def started(self, request_id):
        return self._reply(request_id, lambda reply: sorted(reply) == ["id", "pid"])

    def ended(self, request_id):
        return self._reply(request_id, lambda reply: "exit_code" in reply or "signal" in reply)

    def error(self, request_id):
        return self._reply(request_id, lambda reply: "error" in reply)

    def close(self):
        self.process.stdin.close()
        return self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def server(tmp_path):
    forkserver = ForkServer(str(tmp_path))
    yield forkserver
    if forkserver.process.poll() is None:
        try:
            forkserver.close()
        except subprocess.TimeoutExpired:
            forkserver.process.kill()
            forkserver.process.wait()


def _read(path):
    with open(path) as handle:
        return handle.read()


def task_request(request_id, path, dag_id, task_id, tmp_path, env=None, **context):
    """A task request whose result file is the one conftest.run_task uses (argv compares equal)."""
    payload = task_payload(path, dag_id, task_id, **context)
    result = os.path.join(str(tmp_path), f"result-{task_id}-{payload['map_index']}.json")
    if os.path.exists(result):
        os.remove(result)
    return {"id": request_id, "kind": "task", "cwd": os.path.dirname(path), "env": sdk_env(env),
            "stdout": str(tmp_path / f"{request_id}.out"), "stderr": str(tmp_path / f"{request_id}.err"),
            "result": result, "context": payload}


def fork_task(server, path, dag_id, task_id, tmp_path, env=None, **context):
    """One try through the server; (exit reply, result or None, stdout, stderr), like run_task."""
    request = task_request(f"{task_id}-{time.monotonic_ns()}", path, dag_id, task_id, tmp_path, env, **context)
    server.send(request)
    started = server.started(request["id"])
    ended = server.ended(request["id"])
    assert ended["pid"] == started["pid"]
    result = json.loads(_read(request["result"])) if os.path.exists(request["result"]) else None
    return ended, result, _read(request["stdout"]), _read(request["stderr"])


def fork_parse(server, path, tmp_path):
    request_id = f"parse-{time.monotonic_ns()}"
    server.send({"id": request_id, "kind": "parse", "cwd": os.path.dirname(path), "env": sdk_env(),
                 "stdout": str(tmp_path / f"{request_id}.out"), "stderr": str(tmp_path / f"{request_id}.err"),
                 "dag_file": path})
    server.started(request_id)
    ended = server.ended(request_id)
    return ended, _read(tmp_path / f"{request_id}.out"), _read(tmp_path / f"{request_id}.err")


XCOMS = [{"task_id": "extract", "map_index": -1, "key": "return_value", "value": {"a": 1}}]


def test_ready_line(server):
    assert server.ready["ready"] is True
    assert server.ready["pid"] == server.process.pid
    assert os.path.realpath(server.ready["python"]) == os.path.realpath(PYTHON)


@pytest.mark.parametrize("task_id,state,exit_code", [("transform", "success", 0), ("bash", "success", 0),
                                                     ("failing", "failed", 1)])
def test_task_matches_the_cli(server, dag_dir, tmp_path, task_id, state, exit_code):
    path = write_dag(dag_dir, DAG_SOURCE)
    cli_code, cli_result, cli_out, cli_err = run_task(path, "fs", task_id, tmp_path, xcoms=XCOMS)
    ended, result, out, err = fork_task(server, path, "fs", task_id, tmp_path, xcoms=XCOMS)
    assert (cli_code, cli_result["state"]) == (exit_code, state)
    assert ended["exit_code"] == cli_code and "signal" not in ended
    assert (result, out, err) == (cli_result, cli_out, cli_err)
    if task_id == "failing":
        assert "about to fail" in err and err.rstrip().endswith("ValueError: always fails")


def test_user_code_sees_what_the_cli_shows(server, dag_dir, tmp_path):
    path = write_dag(dag_dir, DAG_SOURCE)
    env = {"LEOFLOW_MARKER": "from-the-request", "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache")}
    _, cli_result, _, cli_err = run_task(path, "fs", "surroundings", tmp_path, env=env)
    ended, result, _, err = fork_task(server, path, "fs", "surroundings", tmp_path, env=env)
    assert ended["exit_code"] == 0, err
    seen = result["xcoms"][0]["value"]
    assert seen == cli_result["xcoms"][0]["value"], cli_err
    assert seen["marker"] == "from-the-request" and seen["pycache_prefix"] == env["PYTHONPYCACHEPREFIX"]
    # The server preloaded no module a fresh try would not have (jinja2, fork hooks): `seen` compares
    # equal, and an interpreter whose start-up imports none of them shows none.
    assert "jinja2" not in seen["modules"]
    assert seen["main"][0] == "__main__" and seen["argv"][0].endswith(os.path.join("leoflow_runtime", "__main__.py"))
    # Only the standard streams (and the folder os.listdir had open): no control pipe leaks in.
    assert seen["fds"] == [0, 1, 2, 3]


def _block_usr1():
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])


def test_child_is_its_own_process_group_with_fresh_streams_and_no_blocked_signal(dag_dir, tmp_path):
    server = ForkServer(str(tmp_path), preexec_fn=_block_usr1)
    path = write_dag(dag_dir, DAG_SOURCE)
    try:
        ended, result, _, err = fork_task(server, path, "fs", "identity", tmp_path)
    finally:
        server.close()
    seen = result["xcoms"][0]["value"]
    assert seen == {"pid": ended["pid"], "pgid": ended["pid"], "stdin": "/dev/null",
                    "stdout": str(tmp_path / f"{ended['id']}.out"), "mask": []}, err
    assert os.getpgid(0) != ended["pid"]


def test_a_child_that_cannot_be_set_up_exits_126(server, dag_dir, tmp_path):
    path = write_dag(dag_dir, DAG_SOURCE)
    request = task_request("nowhere", path, "fs", "extract", tmp_path)
    request["cwd"] = str(tmp_path / "missing")
    server.send(request)
    assert server.ended("nowhere")["exit_code"] == 126
    assert "missing" in _read(request["stderr"]) and not os.path.exists(request["result"])


def test_a_stream_fifo_nobody_reads_fails_the_setup_instead_of_blocking(server, dag_dir, tmp_path):
    # What a child meets when the engine was killed: its FIFO has no reader.
    path = write_dag(dag_dir, DAG_SOURCE)
    request = task_request("orphan", path, "fs", "extract", tmp_path)
    request["stdout"] = str(tmp_path / "orphan.fifo")
    os.mkfifo(request["stdout"])
    server.send(request)
    assert server.ended("orphan")["exit_code"] == 126
    assert not os.path.exists(request["result"])


def test_parse_is_byte_identical_to_the_cli(server, dag_dir, tmp_path):
    path = write_dag(dag_dir, DAG_SOURCE.replace("import os", "import os\nprint('parsing now')"))
    code, _, cli_out, cli_err = run_parser(path)
    ended, out, err = fork_parse(server, path, tmp_path)
    assert code == ended["exit_code"] == 0
    assert out == cli_out and err == cli_err == "parsing now\n"


def test_failed_parse_is_byte_identical_to_the_cli(server, dag_dir, tmp_path):
    path = write_dag(dag_dir, """
        from airflow.sdk import DAG

        with DAG("broken"):
            raise KeyError("no such thing")
        """)
    code, _, cli_out, cli_err = run_parser(path)
    ended, out, err = fork_parse(server, path, tmp_path)
    assert code == ended["exit_code"] == 1
    assert (out, err) == (cli_out, cli_err)
    assert 'line 4, in <module>' in err and err.endswith("KeyError: 'no such thing'\n")


def test_signal_reply_for_a_killed_child(server, dag_dir, tmp_path):
    path = write_dag(dag_dir, DAG_SOURCE)
    ended, result, _, _ = fork_task(server, path, "fs", "killed", tmp_path)
    assert ended["signal"] == signal.SIGKILL and "exit_code" not in ended
    assert result is None


def _read_until(fd, text):
    deadline = time.monotonic() + TIMEOUT
    seen = b""
    while text.encode() not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{text!r} not seen in time (got {seen!r})"
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            data = os.read(fd, 4096)
            assert data, f"the stream ended before {text!r} (got {seen!r})"
            seen += data
    return seen


def _read_to_end(fd):
    """What is left in a FIFO until every writer has closed it."""
    deadline = time.monotonic() + TIMEOUT
    seen = b""
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"the stream did not end in time (got {seen!r})"
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            data = os.read(fd, 4096)
            if not data:
                return seen
            seen += data


def test_concurrent_requests_run_side_by_side(server, dag_dir, tmp_path):
    path = write_dag(dag_dir, DAG_SOURCE.replace('"/nonexistent"', repr(str(tmp_path / "go"))))
    go = str(tmp_path / "go")
    os.mkfifo(go)
    requests, outputs = [], []
    for index in range(4):
        request = task_request(f"wait-{index}", path, "fs", "wait_for_go", tmp_path)
        request["result"] = str(tmp_path / f"result-wait-{index}.json")
        for stream in ("stdout", "stderr"):
            os.mkfifo(request[stream])
        outputs.append([os.open(request[stream], os.O_RDONLY | os.O_NONBLOCK) for stream in ("stdout", "stderr")])
        requests.append(request)
    for request in requests:
        server.send(request)
    pids = {server.started(request["id"])["pid"] for request in requests}
    assert len(pids) == 4
    # Every task is running at once: each says so before any is released.
    for stdout, _ in outputs:
        _read_until(stdout, "started\n")
    os.close(os.open(go, os.O_WRONLY | os.O_NONBLOCK))
    for request, (stdout, stderr) in zip(requests, outputs):
        ended = server.ended(request["id"])
        assert ended["exit_code"] == 0 and ended["pid"] in pids
        assert json.loads(_read(request["result"]))["xcoms"] == [{"key": "return_value", "value": True}]
        _read_until(stdout, "Done. Returned value was: True")
        os.close(stdout)
        os.close(stderr)


BAD_REQUESTS = [
    ("not json", None, "invalid JSON"),
    ('["a", "list"]', None, "a request is a JSON object"),
    ({"kind": "parse"}, None, "id must be a string"),
    ({"id": 7, "kind": "parse"}, 7, "id must be a string"),
    ({"id": "k", "kind": "build"}, "k", 'kind must be "task" or "parse"'),
    ({"id": "c", "kind": "parse", "cwd": "relative", "env": {}, "stdout": "/o", "stderr": "/e", "dag_file": "/d.py"},
     "c", "cwd must be an absolute path"),
    ({"id": "d", "kind": "parse", "cwd": "/", "env": {}, "stdout": "/o", "stderr": "/e"},
     "d", "dag_file must be an absolute path"),
    ({"id": "e", "kind": "parse", "cwd": "/", "env": {"A": 1}, "stdout": "/o", "stderr": "/e", "dag_file": "/d.py"},
     "e", "env value of 'A' must be a string"),
    ({"id": "f", "kind": "task", "cwd": "/", "env": {}, "stdout": "/o", "stderr": "/e", "result": "/r", "context": []},
     "f", "context must be an object"),
]


def test_bad_requests_get_an_error_and_the_server_keeps_serving(server, dag_dir, tmp_path):
    for request, request_id, message in BAD_REQUESTS:
        server.send(request)
        reply = server.error(request_id)
        assert sorted(reply) == ["error", "id"] and message in reply["error"]
    path = write_dag(dag_dir, DAG_SOURCE)
    ended, out, _ = fork_parse(server, path, tmp_path)
    assert ended["exit_code"] == 0 and json.loads(out)["dags"][0]["dag_id"] == "fs"


def test_eof_ends_the_server_but_not_its_children(server, dag_dir, tmp_path):
    path = write_dag(dag_dir, DAG_SOURCE.replace('"/nonexistent"', repr(str(tmp_path / "go"))))
    go = str(tmp_path / "go")
    os.mkfifo(go)
    request = task_request("orphan", path, "fs", "wait_for_go", tmp_path)
    os.mkfifo(request["stdout"])
    stdout = os.open(request["stdout"], os.O_RDONLY | os.O_NONBLOCK)
    server.send(request)
    server.started("orphan")
    _read_until(stdout, "started\n")
    assert server.close() == 0
    os.close(os.open(go, os.O_WRONLY | os.O_NONBLOCK))
    # The try closes its stdout when it exits, after writing its result.
    assert b"Done. Returned value was: True" in _read_to_end(stdout)
    os.close(stdout)
    assert json.loads(_read(request["result"]))["state"] == "success"
