"""Starts the fake Kubernetes API server (fake_apiserver/main.mjs) for pytest
suites and offers its API and fault-injection calls. Standard library only.

    with FakeCluster() as cluster:
        cluster.register_image("leoflow-task:1", path_map={"/opt/leoflow": "/src"})
        cluster.api("POST", "/api/v1/namespaces/default/pods", pod)
"""
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = os.path.join(HERE, "fake_apiserver", "main.mjs")


class FakeClusterError(RuntimeError):
    """A control or API call the fake refused; `status` and `body` say why."""

    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class FakeCluster:
    def __init__(self, state_dir=None, port=0, images_file=None, extra_args=(), node="node", startup_timeout=30):
        self._own_dir = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="leoflow-k8sfake-")
        self.port = port
        self.images_file = images_file
        self.extra_args = list(extra_args)
        self.node = node
        self.startup_timeout = startup_timeout
        self.proc = None
        self.ready = None
        self._ssl = None

    # -- lifecycle --------------------------------------------------------

    def start(self):
        args = [self.node, MAIN, "--state-dir", self.state_dir, "--port", str(self.port)]
        if self.images_file:
            args += ["--images", self.images_file]
        self.stderr_path = os.path.join(self.state_dir, "fake-apiserver.log")
        stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(args + self.extra_args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=stderr)
        stderr.close()
        ready_path = os.path.join(self.state_dir, "ready.json")
        deadline = time.monotonic() + self.startup_timeout
        while not os.path.exists(ready_path):
            if self.proc.poll() is not None:
                raise RuntimeError(f"fake apiserver exited {self.proc.returncode}: {self.log_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"fake apiserver not ready after {self.startup_timeout} s: {self.log_text()}")
            time.sleep(0.05)
        with open(ready_path) as f:
            self.ready = json.load(f)
        self._ssl = ssl.create_default_context(cafile=self.ready["ca_file"])
        return self

    def stop(self, timeout=20):
        """SIGTERM (the fake kills its pod processes), then the exit code."""
        code = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = self.proc.wait()
        elif self.proc:
            code = self.proc.returncode
        if self._own_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        return code

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log_text(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @property
    def kubeconfig(self):
        return self.ready["kubeconfig"]

    # -- HTTP -------------------------------------------------------------

    def api(self, method, path, body=None, content_type="application/json", token=None, timeout=30):
        """One request; returns the parsed JSON (or text). 4xx/5xx raise FakeClusterError."""
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        if isinstance(data, str):
            data = data.encode()
        req = urllib.request.Request(self.ready["url"] + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token or self.ready['token']}")
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self._ssl, timeout=timeout) as resp:
                return _decode(resp.read(), resp.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as e:
            raise FakeClusterError(e.code, _decode(e.read(), e.headers.get("Content-Type", ""))) from None

    def control(self, path, body=None):
        return self.api("POST", f"/_fake/{path}", body or {})

    def wait_for(self, probe, timeout=30, interval=0.05, what="condition"):
        """Polls `probe()` until it returns something truthy, with a deadline."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                last = probe()
                if last:
                    return last
            except FakeClusterError as e:
                last = e
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")
            time.sleep(interval)

    def pod(self, name, namespace="default"):
        return self.api("GET", f"/api/v1/namespaces/{namespace}/pods/{name}")

    def wait_pod_phase(self, name, phases, namespace="default", timeout=30):
        phases = {phases} if isinstance(phases, str) else set(phases)
        def in_phase():
            pod = self.pod(name, namespace)
            return pod if pod.get("status", {}).get("phase") in phases else None
        return self.wait_for(in_phase, timeout=timeout, what=f"pod {name} in {sorted(phases)}")

    # -- the fake's control calls ----------------------------------------

    def register_image(self, image, path_map=None, env=None, entrypoint=None, cmd=None, working_dir=None):
        body = {"image": image, "path_map": path_map or {}, "env": env or {}}
        if entrypoint is not None:
            body["entrypoint"] = entrypoint
        if cmd is not None:
            body["cmd"] = cmd
        if working_dir is not None:
            body["workingDir"] = working_dir
        return self.control("images", body)

    def fail_image_pull(self, image, message=None, clear=False):
        body = {"image": image, "clear": clear}
        if message:
            body["message"] = message
        return self.control("faults/image-pull", body)

    def crash_loop(self, name=None, namespace="default", label_selector=None, exit_code=1):
        body = {"namespace": namespace, "exitCode": exit_code}
        if name:
            body["name"] = name
        if label_selector:
            body["labelSelector"] = label_selector
        return self.control("faults/crash-loop", body)

    def clear_crash_loops(self):
        return self.api("DELETE", "/_fake/faults/crash-loop")

    def evict(self, name, namespace="default", message=None):
        return self.control("faults/evict", {"namespace": namespace, "name": name, **({"message": message} if message else {})})

    def lose_node(self, delete_after_ms=1000):
        return self.control("faults/node-lost", {"delete_after_ms": delete_after_ms})

    def restore_node(self):
        return self.control("faults/node-restore")

    def delete_pod_as_someone_else(self, name, namespace="default", grace_period_seconds=None):
        body = {"namespace": namespace, "name": name}
        if grace_period_seconds is not None:
            body["grace_period_seconds"] = grace_period_seconds
        return self.control("faults/delete-pod", body)

    def restart_apiserver(self):
        """Drops every connection and compacts history: watchers must re-list after 410."""
        return self.control("faults/restart-apiserver")

    def refuse_connections(self, ms):
        return self.control("faults/refuse-connections", {"ms": ms})

    def received(self, resource=None, method=None):
        """Every write request the fake received, bodies exactly as sent."""
        query = "&".join(f"{k}={v}" for k, v in (("resource", resource), ("method", method)) if v)
        return self.api("GET", "/_fake/received" + (f"?{query}" if query else ""))["requests"]

    def posted_pod_specs(self):
        return [r["body"] for r in self.received(resource="pods", method="POST")]


def _decode(raw, content_type):
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        return json.loads(text)
    return text
