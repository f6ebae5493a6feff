"""How a try gets its context and hands back its result: the local transport reads the context from
stdin and writes the result file (the subprocess executor); the execution API transport fetches the
context from the server, heartbeats while the task runs and sends the result back over HTTP (a pod,
which cannot reach the server's files). Standard library only; json and urllib are imported only by the
HTTP transport (a local try never pays for them)."""
import os
import sys
import time


class LocalTransport:
    """Context on stdin (or given by the fork server), result into `result_path`."""

    def __init__(self, result_path, context=None):
        self.result_path = result_path
        self._context = context

    def fetch_context(self):
        from leoflow.jsonin import loads
        return loads(sys.stdin.read()) if self._context is None else self._context

    def start(self, context):
        pass

    def send_result(self, result):
        """Write the result atomically (a reader never sees half a file)."""
        from leoflow.jsonout import dumps
        temporary = f"{self.result_path}.tmp-{os.getpid()}"
        with open(temporary, "w") as handle:
            handle.write(dumps(result))
        os.replace(temporary, self.result_path)
        return True


class ExecutionApiError(RuntimeError):
    pass


class ExecutionApiTransport:
    """The server's /execution/ API at $LEOFLOW_EXECUTION_API, as try $LEOFLOW_TI_ID with the token
    in $LEOFLOW_TRY_TOKEN (from the try's Secret)."""

    # Sending the result survives a server restart of about this long.
    REPORT_PATIENCE = 300

    def __init__(self, environ=None):
        environ = os.environ if environ is None else environ
        try:
            self.base = environ["LEOFLOW_EXECUTION_API"].rstrip("/")
            self.ti_id = environ["LEOFLOW_TI_ID"]
            self._token = environ["LEOFLOW_TRY_TOKEN"]
        except KeyError as missing:
            raise ExecutionApiError(f"{missing.args[0]} is not set: the execution API cannot be reached") from None
        self._stop = None

    def _call(self, method, path, body=None, timeout=30):
        import json
        import urllib.error
        import urllib.request
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                detail = json.loads(raw).get("detail")
            except (ValueError, AttributeError):
                detail = raw.decode(errors="replace")
            return error.code, detail

    def _patiently(self, method, path, body, patience):
        """A call retried while the server cannot be reached (restarting), up to `patience` seconds."""
        deadline = time.monotonic() + patience
        delay = 0.2
        while True:
            try:
                return self._call(method, path, body)
            except OSError as error:
                if time.monotonic() > deadline:
                    raise ExecutionApiError(f"the execution API at {self.base} cannot be reached: {error}") from None
                time.sleep(delay)  # back-off between attempts at an unreachable server
                delay = min(delay * 2, 5)

    def fetch_context(self):
        status, body = self._patiently("PATCH", f"/task-instances/{self.ti_id}/run",
                                       {"state": "running", "pid": os.getpid(),
                                        "hostname": os.environ.get("HOSTNAME", "")}, 60)
        if status != 200:
            raise ExecutionApiError(f"the server refused to start this try (HTTP {status}): {body}")
        return body

    def start(self, context):
        """Heartbeats from a daemon thread; the server saying the try is no longer wanted stops it as a
        kill would (SIGTERM)."""
        import signal
        import threading
        interval = max(1, int(context.get("heartbeat_interval") or 10))
        self._stop = threading.Event()

        def beat():
            while not self._stop.wait(interval):
                try:
                    status, _ = self._call("PUT", f"/task-instances/{self.ti_id}/heartbeat", {"pid": os.getpid()}, 10)
                except OSError:
                    continue  # the server may be restarting; its timeout decides
                if status in (401, 403, 404, 409):
                    os.kill(os.getpid(), signal.SIGTERM)
                    return

        threading.Thread(target=beat, name="leoflow-heartbeat", daemon=True).start()

    def send_result(self, result):
        import json
        if self._stop is not None:
            self._stop.set()
        from leoflow.jsonout import dumps
        status, detail = self._patiently("PATCH", f"/task-instances/{self.ti_id}/state", json.loads(dumps(result)),
                                         self.REPORT_PATIENCE)
        if status not in (200, 204):
            sys.stderr.write(f"the server did not take this try's result (HTTP {status}): {detail}\n")
            return False
        return True
