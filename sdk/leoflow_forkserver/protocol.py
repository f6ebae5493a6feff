"""Requests and replies of the control channel: one JSON object per line. A request is checked in
full before the server forks, so that a child never fails on what the server could have refused."""
import json
import os

# Fields that name files or folders, by request kind (all must be absolute paths).
PATHS = {"task": ("cwd", "stdout", "stderr", "result"), "parse": ("cwd", "stdout", "stderr", "dag_file")}


class BadRequest(Exception):
    """A request the server refuses; `request_id` is whatever id it carried."""

    def __init__(self, request_id, message):
        super().__init__(message)
        self.request_id = request_id


def _check_env(env):
    if not isinstance(env, dict):
        raise ValueError("env must be an object of strings")
    for key, value in env.items():
        if not isinstance(value, str):
            raise ValueError(f"env value of {key!r} must be a string")
        if not key or "=" in key or "\0" in key or "\0" in value:
            raise ValueError(f"env variable {key!r} cannot be set")


def _check(request):
    kind = request.get("kind")
    if kind not in PATHS:
        raise ValueError('kind must be "task" or "parse"')
    for field in PATHS[kind]:
        value = request.get(field)
        if not isinstance(value, str) or not value.startswith("/") or "\0" in value:
            raise ValueError(f"{field} must be an absolute path")
    _check_env(request.get("env"))
    if kind == "task" and not isinstance(request.get("context"), dict):
        raise ValueError("context must be an object")


def parse_request(line):
    """The request a line holds; BadRequest when it is not one the server can run."""
    try:
        request = json.loads(line)
    except ValueError as error:
        raise BadRequest(None, f"invalid JSON: {error}") from None
    if not isinstance(request, dict):
        raise BadRequest(None, "a request is a JSON object")
    request_id = request.get("id")
    if not isinstance(request_id, str):
        raise BadRequest(request_id, "id must be a string")
    try:
        _check(request)
    except ValueError as error:
        raise BadRequest(request_id, str(error)) from None
    return request


def encode(reply):
    """A reply as the bytes of one line."""
    return (json.dumps(reply, separators=(",", ":")) + "\n").encode()


def exit_reply(request_id, pid, status):
    """The reply for a child that ended with wait `status`: its exit code or the signal that killed it."""
    if os.WIFSIGNALED(status):
        return {"id": request_id, "pid": pid, "signal": os.WTERMSIG(status)}
    return {"id": request_id, "pid": pid, "exit_code": os.WEXITSTATUS(status)}
