"""Reads the task context from stdin (or takes it from the fork server), runs the try, writes the
result file; exit 0 unless failed."""
import os
import sys

from leoflow.jsonin import loads
from leoflow.jsonout import dumps


def _parse_args(argv):
    if len(argv) == 2 and argv[0] == "--result":
        return argv[1]
    if len(argv) == 1 and argv[0].startswith("--result="):
        return argv[0][len("--result="):]
    return None


def write_result(path, result):
    """Write the result atomically (a reader never sees half a file)."""
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w") as handle:
        handle.write(dumps(result))
    os.replace(temporary, path)


def main(argv, context=None):
    """`python -m leoflow_runtime --result FILE`; `context` is the decoded task context when the fork
    server runs the try, None to read it from stdin."""
    result_path = _parse_args(argv)
    if result_path is None:
        sys.stderr.write("usage: python -m leoflow_runtime --result FILE  (task context JSON on stdin)\n")
        return 2
    sys.stdout.reconfigure(line_buffering=True)
    from leoflow_runtime.taskrun import run_task
    try:
        payload = loads(sys.stdin.read()) if context is None else context
    except ValueError as error:
        sys.stderr.write(f"invalid task context on stdin: {error}\n")
        write_result(result_path, {"state": "failed", "xcoms": [], "skip_task_ids": [], "no_retry": False,
                                   "error": f"invalid task context on stdin: {error}", "variables_set": {},
                                   "rendered_fields": {}})
        return 1
    result = run_task(payload)
    write_result(result_path, result)
    sys.stdout.flush()
    sys.stderr.flush()
    return 1 if result["state"] == "failed" else 0
