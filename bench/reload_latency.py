#!/usr/bin/env python3
"""Save → new version visible in the API, measured against the real
`leoflow lite`, next to the bare `python3 -c 'import dag'` time of the same
DAG file measured in the same run (the floor any reload must pay).

Usage: bench/reload_latency.py [--bin DIR] [--saves N]
Prints the median and p95 of both, and their ratio. A benchmark, not a test:
it never fails on time."""
import argparse
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
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"

DAG = '''\
from datetime import datetime
from airflow.sdk import dag, task
from airflow.providers.standard.operators.bash import BashOperator


@dag(schedule="@daily", start_date=datetime(2025, 1, 1), catchup=False, tags=["bench"])
def reload_bench():
    @task
    def extract():
        return {generation}

    @task
    def transform(value):
        return value * 2

    @task
    def load(value):
        print(value)

    load(transform(extract())) >> BashOperator(task_id="report", bash_command="echo done")


reload_bench()
'''


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def latest_version(base):
    try:
        body = get_json(base + "/api/v2/dags/reload_bench/dagVersions?order_by=-version_number&limit=1")
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return 0
        raise
    return body["dag_versions"][0]["version_number"] if body["dag_versions"] else 0


def bare_import_seconds(project, runs, cache):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "sdk"), project]),
               PYTHONPYCACHEPREFIX=cache)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", "import dag"], cwd=project, env=env, check=True)
        out.append(time.perf_counter() - start)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--saves", type=int, default=25)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="leoflow-bench-") as tmp:
        project = os.path.join(tmp, "dags", "reload_bench")
        os.makedirs(project)
        dag_file = os.path.join(project, "dag.py")
        with open(dag_file, "w") as f:
            f.write(DAG.format(generation=0))
        env = dict(os.environ, LEOFLOW_HOME=os.path.join(tmp, "home"), LEOFLOW_PYTHON=PYTHON, NO_COLOR="1")
        proc = subprocess.Popen([os.path.join(args.bin, "leoflow"), "lite", os.path.join(tmp, "dags"), "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        base = None
        for line in proc.stdout:
            m = re.search(r"listening on (http://\S+)", line)
            if m:
                base = m.group(1)
                break
        threading.Thread(target=lambda: [print(l, end="", file=sys.stderr) if os.environ.get("BENCH_VERBOSE") else None for l in proc.stdout], daemon=True).start()
        try:
            deadline = time.monotonic() + 60
            while latest_version(base) < 1:
                if time.monotonic() > deadline:
                    sys.exit("the DAG never registered")
                time.sleep(0.01)
            latencies = []
            for generation in range(1, args.saves + 1):
                text = DAG.format(generation=generation)
                start = time.perf_counter()
                with open(dag_file, "w") as f:
                    f.write(text)
                while latest_version(base) < generation + 1:
                    if time.perf_counter() - start > 30:
                        sys.exit(f"save {generation} never became visible")
                    time.sleep(0.01)  # poll gently: the server needs the CPU we would burn
                latencies.append(time.perf_counter() - start)
            baseline = bare_import_seconds(project, args.saves, os.path.join(tmp, "pycache"))
        finally:
            proc.terminate()
            proc.wait(10)

    med, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    bmed, bp95 = statistics.median(baseline), percentile(baseline, 0.95)
    print(f"reload_latency: {len(latencies)} saves of a 4-task DAG ({PYTHON})")
    print(f"  save -> new version in the API   median {med * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms")
    print(f"  baseline: python3 -c 'import dag' median {bmed * 1000:7.1f} ms   p95 {bp95 * 1000:7.1f} ms")
    print(f"  ratio (median / baseline median)  {med / bmed:.2f}x   (target: <= 2x and < 150 ms)")


if __name__ == "__main__":
    main()
