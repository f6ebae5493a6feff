#!/usr/bin/env python3
"""Cold start of the real `leoflow lite`: N DAG folders on a fresh LEOFLOW_HOME, the
time until every DAG is registered, Lite's RSS once they are, and the latency of
`GET /api/v2/dags?limit=100` then, for N in 10, 100, 1,000, 2,000 by default.

The baseline, measured in the same run: one bare `python3 -c 'import dag'` of the same
DAG file (the interpreter's start plus the file's imports, nothing of Lite). Each size
prints its time per DAG and that as a multiple of the baseline, so how cost grows with
N reads off the column.

Usage: bench/cold_start.py [--bin DIR] [--sizes 10,100,1000,2000] [--requests N]
It prints figures and never fails on time; it exits 1 when Lite does not register
every DAG or answers a list request with anything but 200."""
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
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"

DAG = '''\
from datetime import datetime
from airflow.sdk import dag, task


@dag(dag_id="cold_{index:04d}", schedule=None, start_date=datetime(2025, 1, 1), tags=["bench"])
def cold_dag():
    @task
    def extract():
        return {index}

    @task
    def load(value):
        print(value)

    load(extract())


cold_dag()
'''


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return r.status, r.read()


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def baseline_ms(sdk, folder, repeats=5):
    """Median wall time of a bare `python3 -c 'import dag'` in a project folder."""
    env = dict(os.environ, PYTHONPATH=sdk, PYTHONDONTWRITEBYTECODE="1")
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        subprocess.run([PYTHON, "-c", "import dag"], cwd=folder, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - begun) * 1e3)
    return statistics.median(times)


def one_size(bin_dir, n, requests):
    with tempfile.TemporaryDirectory(prefix=f"leoflow-cold-{n}-") as tmp:
        dags = os.path.join(tmp, "dags")
        for i in range(n):
            folder = os.path.join(dags, f"cold_{i:04d}")
            os.makedirs(folder)
            with open(os.path.join(folder, "dag.py"), "w") as f:
                f.write(DAG.format(index=i))
        env = dict(os.environ, LEOFLOW_HOME=os.path.join(tmp, "home"), LEOFLOW_PYTHON=PYTHON, NO_COLOR="1")
        begun = time.monotonic()
        proc = subprocess.Popen([os.path.join(bin_dir, "leoflow"), "lite", dags, "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        lines = []
        base = None
        for line in proc.stdout:
            lines.append(line)
            if m := re.search(r"listening on (http://\S+)", line):
                base = m.group(1)
                break
        if base is None:
            sys.exit(f"leoflow lite exited ({proc.wait()}) before listening:\n{''.join(lines)}")
        threading.Thread(target=lambda: [lines.append(l) for l in proc.stdout], daemon=True).start()
        try:
            deadline = time.monotonic() + max(120, n * 0.5)
            while True:
                total = json.loads(get(base, "/api/v2/dags?limit=1")[1])["total_entries"]
                if total == n:
                    break
                if time.monotonic() > deadline or proc.poll() is not None:
                    sys.exit(f"{n} DAGs: only {total} registered\n{''.join(lines[-20:])}")
                time.sleep(0.02)
            registered_s = time.monotonic() - begun
            rss = rss_mib(proc.pid)
            latencies = []
            for _ in range(requests):
                t = time.perf_counter()
                status, _ = get(base, "/api/v2/dags?limit=100")
                latencies.append((time.perf_counter() - t) * 1e3)
                if status != 200:
                    sys.exit(f"GET /api/v2/dags?limit=100: {status}")
            progress = sum(1 for l in lines if "registering " in l)
        finally:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        baseline = baseline_ms(os.path.join(ROOT, "sdk"), os.path.join(dags, "cold_0000"))
        return {"n": n, "seconds": registered_s, "rss_mib": rss, "first_ms": latencies[0],
                "p50_ms": statistics.median(latencies), "baseline_ms": baseline, "progress_lines": progress}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--sizes", default=os.environ.get("COLD_SIZES", "10,100,1000,2000"))
    ap.add_argument("--requests", type=int, default=50, help="list requests after registering")
    args = ap.parse_args()
    bin_dir = os.path.abspath(args.bin)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"cold start: N DAG folders on a fresh home → all registered ({os.cpu_count()} cores)")
    print(f"  {'DAGs':>6} {'all registered':>15} {'per DAG':>9} {'× import':>9} {'RSS':>9} "
          f"{'list 1st':>9} {'list p50':>9} {'import dag':>11}")
    for n in sizes:
        r = one_size(bin_dir, n, args.requests)
        per_dag = r["seconds"] * 1e3 / n
        progress = f"   ({r['progress_lines']} progress lines)" if r["progress_lines"] else ""
        print(f"  {n:>6,} {r['seconds']:>13.2f} s {per_dag:>6.1f} ms {per_dag / r['baseline_ms']:>8.2f}× "
              f"{r['rss_mib']:>5.1f} MiB {r['first_ms']:>6.1f} ms {r['p50_ms']:>6.2f} ms "
              f"{r['baseline_ms']:>8.1f} ms{progress}", flush=True)


if __name__ == "__main__":
    main()
