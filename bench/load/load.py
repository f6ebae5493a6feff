#!/usr/bin/env python3
"""HTTP load on the real `leoflow lite`, next to nginx serving the same bytes
from a static file in the same run (the physical limit on this machine):

  GET /api/v2/dags?limit=100                      (200 registered DAGs + 1)
  GET /api/v2/dags/{dag}/dagRuns/{run}/taskInstances?limit=100
                                                  (a finished 1,000-task run)

Each endpoint gets `wrk --latency` with 64 connections for --seconds (30 by
default; LOAD_SECONDS overrides the default for quick local runs), first
against Lite, then against nginx. Prints requests/s, p50/p99 latency, errors,
the Lite/nginx ratio and the server's RSS before and after.

Usage: bench/load/load.py [--bin DIR] [--seconds N] [--connections N] [--no-cache]
--no-cache runs Lite with its API response cache off (LEOFLOW_API_CACHE_MIB=0):
the figures of every page built anew.
Unlike the other benchmarks it fails (exit 1) on correctness, never on time:
any non-2xx response or socket error, or RSS growing by more than
--rss-bound-mib (64 by default)."""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"
SMALL_DAGS = 200
BIG_TASKS = 1000

SMALL_DAG = '''\
from datetime import datetime
from airflow.sdk import dag, task


@dag(dag_id="load_{index:03d}", schedule=None, start_date=datetime(2025, 1, 1),
     tags=["load", "bench"], description="one of the load benchmark's DAGs")
def load_dag():
    @task
    def extract():
        return {index}

    @task
    def load(value):
        print(value)

    load(extract())


load_dag()
'''

# EmptyOperators finish inside the scheduler without a process, so the
# 1,000-task run completes in seconds.
BIG_DAG = '''\
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("load_big", schedule=None, max_active_tasks=1000):
    for i in range({tasks}):
        EmptyOperator(task_id=f"empty_{{i:04d}}")
'''

NGINX_CONF = '''\
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/www;
        default_type application/json;
        location = /api/v2/dags {{ try_files /dags.json =404; }}
        location / {{ try_files /task_instances.json =404; }}
    }}
}}
'''


def api(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def get_json(base, path):
    status, raw = api(base, "GET", path)
    return json.loads(raw) if status == 200 else None


def wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(0.05)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def run_wrk(url, seconds, connections, threads):
    """wrk --latency against url; its figures as a dict."""
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    figures = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
               "requests": int(re.search(r"(\d+) requests in", out).group(1)),
               "non_2xx": 0, "socket_errors": 0}
    for p in ("50", "99"):
        figures[f"p{p}_ms"] = to_ms(re.search(rf"^\s+{p}%\s+(\S+)", out, re.M).group(1))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        figures["non_2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        figures["socket_errors"] = sum(int(g) for g in m.groups())
    figures["raw"] = out
    return figures


def start_lite(bin_dir, dags, home, cache):
    env = dict(os.environ, LEOFLOW_HOME=home, LEOFLOW_PYTHON=PYTHON, NO_COLOR="1")
    if not cache:
        env["LEOFLOW_API_CACHE_MIB"] = "0"
    proc = subprocess.Popen([os.path.join(bin_dir, "leoflow"), "lite", dags, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in proc.stdout:
        if m := re.search(r"listening on (http://\S+)", line):
            # Keep draining its output so the server never blocks on a full pipe.
            verbose = bool(os.environ.get("BENCH_VERBOSE"))
            threading.Thread(target=lambda: [print(l, end="", file=sys.stderr) if verbose else None
                                             for l in proc.stdout], daemon=True).start()
            return proc, m.group(1)
    sys.exit(f"leoflow lite exited ({proc.wait()}) before listening")


def start_nginx(tmp, bodies):
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    for name, body in bodies.items():
        with open(os.path.join(www, name), "wb") as f:
            f.write(body)
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    # As root, nginx's workers would switch to `nobody`, which cannot read the
    # private temp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(tmp=tmp, port=port, user=user))
    proc = subprocess.Popen(["nginx", "-p", tmp, "-e", os.path.join(tmp, "nginx-error.log"), "-c", conf,
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"

    def up():
        if proc.poll() is not None:
            sys.exit(f"nginx exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            return api(base, "GET", "/api/v2/dags")[0] == 200
        except OSError:
            return False
    wait(up, 20, "nginx to listen")
    return proc, base


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", "30")))
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--rss-bound-mib", type=int, default=64)
    ap.add_argument("--no-cache", action="store_true", help="Lite's API response cache off")
    args = ap.parse_args()
    bin_dir = os.path.abspath(args.bin)

    with tempfile.TemporaryDirectory(prefix="leoflow-load-") as tmp:
        dags = os.path.join(tmp, "dags")
        for i in range(SMALL_DAGS):
            os.makedirs(os.path.join(dags, f"load_{i:03d}"))
            with open(os.path.join(dags, f"load_{i:03d}", "dag.py"), "w") as f:
                f.write(SMALL_DAG.format(index=i))
        os.makedirs(os.path.join(dags, "load_big"))
        with open(os.path.join(dags, "load_big", "dag.py"), "w") as f:
            f.write(BIG_DAG.format(tasks=BIG_TASKS))

        lite, base = start_lite(bin_dir, dags, os.path.join(tmp, "home"), not args.no_cache)
        nginx = None
        try:
            started = time.monotonic()
            wait(lambda: (get_json(base, "/api/v2/dags?limit=1") or {}).get("total_entries") == SMALL_DAGS + 1,
                 600, f"{SMALL_DAGS + 1} DAGs to register")
            registered_s = time.monotonic() - started
            print(f"load: {SMALL_DAGS + 1} DAGs registered in {registered_s:.1f} s", file=sys.stderr)
            status, raw = api(base, "POST", "/api/v2/dags/load_big/dagRuns", {})
            if status != 200:
                sys.exit(f"triggering load_big: {status} {raw!r}")
            run_id = json.loads(raw)["dag_run_id"]
            run_path = f"/api/v2/dags/load_big/dagRuns/{urllib.parse.quote(run_id, safe='')}"
            wait(lambda: (get_json(base, run_path) or {}).get("state") in ("success", "failed"), 600,
                 "the 1,000-task run to finish")
            run = get_json(base, run_path)
            print(f"load: the {BIG_TASKS}-task run ended {run['state']}", file=sys.stderr)
            tis = get_json(base, run_path + "/taskInstances?limit=1")
            if run["state"] != "success" or tis["total_entries"] != BIG_TASKS:
                sys.exit(f"the big run ended {run['state']} with {tis['total_entries']} task instances")

            targets = {"dags": "/api/v2/dags?limit=100",
                       "task_instances": run_path + "/taskInstances?limit=100"}
            bodies = {}
            for name, path in targets.items():
                status, bodies[name + ".json"] = api(base, "GET", path)
                if status != 200:
                    sys.exit(f"GET {path}: {status}")
            nginx, nginx_base = start_nginx(tmp, bodies)
            for name, path in targets.items():
                status, same = api(nginx_base, "GET", path)
                if status != 200 or same != bodies[name + ".json"]:
                    sys.exit(f"nginx does not serve the same bytes for {path}")

            rss_before = rss_kib(lite.pid)
            results = {}
            for name, path in targets.items():
                results[name] = (run_wrk(base + path, args.seconds, args.connections, args.threads),
                                 run_wrk(nginx_base + path, args.seconds, args.connections, args.threads))
            rss_after = rss_kib(lite.pid)
            if lite.poll() is not None:
                sys.exit(f"leoflow lite exited during the load ({lite.returncode})")
        finally:
            if nginx:
                nginx.terminate()
                nginx.wait(10)
            lite.terminate()
            try:
                lite.wait(60)
            except subprocess.TimeoutExpired:
                print("load: leoflow lite did not stop within 60 s of SIGTERM; killed", file=sys.stderr)
                lite.kill()
                lite.wait()

    failures = []
    print(f"load: leoflow lite vs nginx, same bytes; wrk {args.threads} threads, {args.connections} connections, "
          f"{args.seconds} s per run ({os.cpu_count()} cores, wrk on the same machine)"
          f"{'; API cache off' if args.no_cache else ''}")
    print(f"  setup: {SMALL_DAGS + 1} DAGs registered in {registered_s:.1f} s; one run of {BIG_TASKS} task instances")
    for name, path in targets.items():
        ours, theirs = results[name]
        print(f"  GET {path if name == 'dags' else '/api/v2/dags/load_big/dagRuns/{run}/taskInstances?limit=100'}"
              f"  ({len(bodies[name + '.json'])} bytes)")
        for label, f in (("lite ", ours), ("nginx", theirs)):
            print(f"    {label}  {f['requests_per_s']:9.0f} req/s   p50 {f['p50_ms']:7.2f} ms   p99 {f['p99_ms']:7.2f} ms"
                  f"   non-2xx {f['non_2xx']}   socket errors {f['socket_errors']}   ({f['requests']} requests)")
            if f["non_2xx"] or f["socket_errors"]:
                failures.append(f"{label.strip()} {name}: {f['non_2xx']} non-2xx, {f['socket_errors']} socket errors")
        print(f"    ratio lite/nginx  {ours['requests_per_s'] / theirs['requests_per_s']:.3f}")
    growth_mib = (rss_after - rss_before) / 1024
    print(f"  lite RSS before {rss_before / 1024:.1f} MiB, after {rss_after / 1024:.1f} MiB, "
          f"growth {growth_mib:+.1f} MiB (bound {args.rss_bound_mib} MiB)")
    if growth_mib > args.rss_bound_mib:
        failures.append(f"RSS grew by {growth_mib:.1f} MiB, more than {args.rss_bound_mib} MiB")
    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("  errors: 0")


if __name__ == "__main__":
    main()
