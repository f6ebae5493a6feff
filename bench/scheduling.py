#!/usr/bin/env python3
"""Scheduling latency and throughput of the real `leoflow lite`, next to the
bare process-spawn rate of the same interpreter measured in the same run:

  trigger → first task started   (POST dagRuns → the task instance's start_date)
  upstream end → downstream start (a chain: end_date of one, start_date of the
                                  next; split into the scheduler's decision, up to
                                  queued_when, and the process start after it)
  fan-out throughput              (200 no-op tasks: tasks/s)
  baseline                        (`python -c pass` spawned back to back, 2 at a time)

Usage: bench/scheduling.py [--bin DIR] [--tasks N]
A benchmark, not a test: it prints figures and never fails on time."""
import argparse
import concurrent.futures
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"


def api(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(0.01)


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


DAGS = {
    "single": '''
from airflow.sdk import DAG, task
with DAG("single", schedule=None):
    @task
    def noop():
        return None
    noop()
''',
    "chain": '''
from airflow.sdk import DAG, task
with DAG("chain", schedule=None):
    @task
    def step():
        return None
    previous = None
    for i in range(10):
        current = step.override(task_id=f"step_{i}")()
        if previous is not None:
            previous >> current
        previous = current
''',
    "fanout": '''
from airflow.sdk import DAG, task
with DAG("fanout", schedule=None, max_active_tasks=256):
    @task
    def noop():
        return None
    for i in range({tasks}):
        noop.override(task_id=f"t{{i}}")()
''',
}


def run_and_wait(base, dag_id):
    posted = time.time()
    status, run = api(base, "POST", f"/api/v2/dags/{dag_id}/dagRuns", {})
    assert status == 200, run
    run_id = urllib.parse.quote(run["dag_run_id"], safe="")
    wait(lambda: api(base, "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")[1]["state"] in ("success", "failed"),
         600, f"{dag_id} to finish")
    tis = api(base, "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=10000")[1]["task_instances"]
    return posted, tis


def bare_spawn_rate(python, count, workers):
    def one(_):
        subprocess.run([python, "-c", "pass"], check=True)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(count)))
    return count / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--tasks", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="leoflow-bench-") as tmp:
        dags = os.path.join(tmp, "dags")
        for name, source in DAGS.items():
            os.makedirs(os.path.join(dags, name))
            with open(os.path.join(dags, name, "dag.py"), "w") as f:
                f.write(source.format(tasks=args.tasks) if name == "fanout" else source)
        env = dict(os.environ, LEOFLOW_HOME=os.path.join(tmp, "home"), LEOFLOW_PYTHON=PYTHON, NO_COLOR="1")
        proc = subprocess.Popen([os.path.join(args.bin, "leoflow"), "lite", dags, "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        base = None
        for line in proc.stdout:
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                base = m.group(1)
                break
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        try:
            for name in DAGS:
                wait(lambda: api(base, "GET", f"/api/v2/dags/{name}")[0] == 200, 120, f"{name} to register")
            # Warm the venvs and caches once.
            run_and_wait(base, "single")

            first_start = []
            for _ in range(10):
                posted, tis = run_and_wait(base, "single")
                first_start.append(ts(tis[0]["start_date"]) - posted)

            gaps, decisions, process_starts = [], [], []
            for _ in range(3):
                _, tis = run_and_wait(base, "chain")
                by_id = {t["task_id"]: t for t in tis}
                for i in range(1, 10):
                    up, down = by_id[f"step_{i - 1}"], by_id[f"step_{i}"]
                    gaps.append(ts(down["start_date"]) - ts(up["end_date"]))
                    decisions.append(ts(down["queued_when"]) - ts(up["end_date"]))
                    process_starts.append(ts(down["start_date"]) - ts(down["queued_when"]))

            _, tis = run_and_wait(base, "fanout")
            starts = [ts(t["start_date"]) for t in tis]
            ends = [ts(t["end_date"]) for t in tis]
            throughput = len(tis) / (max(ends) - min(starts))
            venv_python = os.path.join(tmp, "home", "dev", "venvs", "fanout", "bin", "python")
            bare = bare_spawn_rate(venv_python, 100, 2)
        finally:
            proc.terminate()
            proc.wait(20)

    print(f"scheduling: leoflow lite, subprocess executor ({PYTHON}, {os.cpu_count()} cores)")
    print(f"  trigger -> first task started    median {statistics.median(first_start) * 1000:7.1f} ms"
          f"   p95 {percentile(first_start, .95) * 1000:7.1f} ms   (target < 100 ms)")
    print(f"  upstream end -> downstream start median {statistics.median(gaps) * 1000:7.1f} ms"
          f"   p95 {percentile(gaps, .95) * 1000:7.1f} ms")
    print(f"    of which the scheduler's decision median {statistics.median(decisions) * 1000:7.1f} ms"
          f"   p95 {percentile(decisions, .95) * 1000:7.1f} ms   (target < 20 ms)")
    print(f"    and the process start (fork)   median {statistics.median(process_starts) * 1000:7.1f} ms"
          f"   p95 {percentile(process_starts, .95) * 1000:7.1f} ms")
    print(f"  {args.tasks}-task no-op fan-out          {throughput:7.1f} tasks/s")
    print(f"  baseline: bare `python -c pass`  {bare:7.1f} spawns/s (2 at a time)")
    print(f"  ratio (fan-out / bare)           {throughput / bare:7.2f}     (target >= 0.5)")


if __name__ == "__main__":
    main()
