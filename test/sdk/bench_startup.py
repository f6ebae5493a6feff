"""What a task try and a parse cost: fresh `python -m leoflow_runtime` / `-m leoflow_parser` against a
fork of `python -m leoflow_forkserver`, next to `python -c pass`. Run it by hand (not a test):

    /usr/bin/python3 test/sdk/bench_startup.py [--runs N] [--python PATH] [--baseline-sdk DIR]

--baseline-sdk adds the fresh runs of another sdk folder (e.g. a `git archive` of an older commit).
Every measurement is taken once per round, rounds interleaved, so that a shared machine's swings hit
them alike; the figures are the minimum over the rounds. A fresh process's CPU time is its rusage. A
fork's wall time is request to exit reply through a real server; its CPU time is the child's rusage
plus the forking side's, taken by a copy of the server's fork step that waits for its child itself."""
import argparse
import json
import os
import select
import subprocess
import sys
import tempfile
import time

SDK = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "sdk")
DAG = '''
from datetime import datetime
from airflow.sdk import DAG, task
from airflow.operators.bash import BashOperator

with DAG("bench", schedule="@daily", start_date=datetime(2025, 1, 1), params={"n": 3}):
    @task
    def extract():
        return {"rows": [1, 2, 3]}

    @task
    def transform(data, params=None):
        return sum(data["rows"]) * params["n"]

    transform(extract()) >> BashOperator(task_id="report", bash_command="echo rows {{ ds }}")
'''
# The server's fork step (server._start) with wait4 in place of the SIGCHLD loop: one JSON request per
# line in, "child CPU, forking side's CPU" (seconds) per line out.
FORK_PROBE = '''
import gc, json, os, resource, sys
import _signal
from leoflow_forkserver import child, protocol
from leoflow_forkserver.preload import preload
startup_sigchld = _signal.getsignal(_signal.SIGCHLD)
entry_points = preload()
gc.freeze()
for line in sys.stdin:
    before = resource.getrusage(resource.RUSAGE_SELF)
    request = protocol.parse_request(line.encode())
    pid = os.fork()
    if pid == 0:
        child.run(request, entry_points, startup_sigchld)
    os.setpgid(pid, pid)
    after = resource.getrusage(resource.RUSAGE_SELF)
    _, status, usage = os.wait4(pid, 0)
    print(usage.ru_utime + usage.ru_stime, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
          flush=True)
'''


def _context(dag_file, task_id):
    return {"dag_file": dag_file, "dag_source": None, "dag_id": "bench", "task_id": task_id, "map_index": -1,
            "run_id": "manual__2026-11-28T10:00:00+00:00", "run_type": "manual", "try_number": 1, "max_tries": 0,
            "logical_date": "2026-11-28T10:00:00Z", "data_interval_start": "2026-11-28T10:00:00Z",
            "data_interval_end": "2026-11-28T10:00:00Z", "run_after": "2026-11-28T10:00:00Z",
            "run_start_date": "2026-11-28T10:00:00.100000Z", "conf": {},
            "xcoms": [{"task_id": "extract", "map_index": -1, "key": "return_value", "value": {"rows": [1, 2, 3]}}],
            "upstream_map_indexes": {}, "variables": {}, "connections": {}}


def fresh(command, cwd, env, stdin_text=""):
    """(wall, CPU) seconds of one run of `command`."""
    with tempfile.TemporaryFile() as stdin:
        stdin.write(stdin_text.encode())
        stdin.seek(0)
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=cwd, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, command
    return wall, usage.ru_utime + usage.ru_stime


class Lines:
    """A process spoken to in lines, its answers read with a deadline."""

    def __init__(self, command, cwd, env):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd, env=env)
        self.buffer = b""

    def send(self, line):
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def receive(self):
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            readable, _, _ = select.select([fd], [], [], 120)
            assert readable, "no answer in time"
            data = os.read(fd, 65536)
            assert data, "the process ended"
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def stop(self):
        """CPU seconds of the process and of every child it waited for."""
        self.process.stdin.close()
        _, _, usage = os.wait4(self.process.pid, 0)
        self.process.returncode = 0
        return usage.ru_utime + usage.ru_stime


def served(server, request):
    """Wall seconds from sending `request` to its exit reply."""
    started = time.perf_counter()
    server.send(json.dumps(request))
    while "exit_code" not in json.loads(server.receive()):
        pass
    return time.perf_counter() - started


def server_start(python, cwd, env):
    """(wall until the ready line, CPU of a server that served nothing) seconds."""
    started = time.perf_counter()
    server = Lines([python, "-m", "leoflow_forkserver"], cwd, env)
    assert json.loads(server.receive())["ready"]
    return time.perf_counter() - started, server.stop()


def main():
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=20)
    options.add_argument("--python", default=sys.executable)
    options.add_argument("--baseline-sdk")
    arguments = options.parse_args()
    python = arguments.python
    work = tempfile.mkdtemp(prefix="leoflow-bench-")
    project = os.path.join(work, "project")
    os.mkdir(project)
    dag_file = os.path.join(project, "bench_dag.py")
    with open(dag_file, "w") as handle:
        handle.write(DAG)
    result = os.path.join(work, "result.json")
    sdks = [("", SDK)] + ([(" (baseline)", os.path.abspath(arguments.baseline_sdk))] if arguments.baseline_sdk else [])
    envs = {sdk: dict(os.environ, PYTHONPATH=sdk, LEOFLOW_HOME=os.path.join(work, "home")) for _, sdk in sdks}
    env = envs[SDK]
    requests = {"transform": _context(dag_file, "transform"), "report": _context(dag_file, "report"), "parse": None}

    measures = {"python -c pass": lambda: fresh([python, "-c", "pass"], project, env)}
    for label, sdk in sdks:
        for name, context in requests.items():
            command = ([python, "-m", "leoflow_parser", dag_file] if context is None
                       else [python, "-m", "leoflow_runtime", "--result", result])
            text = "" if context is None else json.dumps(context)
            measures[f"{name}: fresh{label}"] = (
                lambda command=command, sdk=sdk, text=text: fresh(command, project, envs[sdk], text))
    server = Lines([python, "-m", "leoflow_forkserver"], project, env)
    assert json.loads(server.receive())["ready"]
    probe = Lines([python, "-c", FORK_PROBE], project, env)
    streams = {"cwd": project, "env": env, "stdout": os.devnull, "stderr": os.devnull}
    for name, context in requests.items():
        request = dict(streams, id=name, kind="parse", dag_file=dag_file) if context is None else \
            dict(streams, id=name, kind="task", result=result, context=context)

        def forked(request=request):
            wall = served(server, request)
            probe.send(json.dumps(request))
            return wall, sum(float(value) for value in probe.receive().split())
        measures[f"{name}: fork"] = forked
    measures["fork server start-up"] = lambda: server_start(python, project, env)

    for measure in measures.values():
        measure()  # byte-code caches written, servers warm
    best = {name: (float("inf"), float("inf")) for name in measures}
    for _ in range(arguments.runs):
        for name, measure in measures.items():
            wall, cpu = measure()
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    server.stop()
    probe.stop()
    print(f"{python}, minimum of {arguments.runs} interleaved rounds")
    print(f"{'':34}{'wall ms':>10}{'CPU ms':>10}")
    for name, (wall, cpu) in best.items():
        print(f"{name:34}{wall * 1000:10.1f}{cpu * 1000:10.1f}")


if __name__ == "__main__":
    main()
