"""Runs one try: gets the task context through a transport (stdin and a result file, or the server's
execution API from a pod), runs it, hands back the result; exit 0 unless failed."""
import sys

from leoflow_runtime.transport import ExecutionApiError, ExecutionApiTransport, LocalTransport

USAGE = ("usage: python -m leoflow_runtime --result FILE  (task context JSON on stdin)\n"
         "       python -m leoflow_runtime --execution-api  (context from $LEOFLOW_EXECUTION_API)\n")


def _parse_args(argv):
    if len(argv) == 2 and argv[0] == "--result":
        return argv[1]
    if len(argv) == 1 and argv[0].startswith("--result="):
        return argv[0][len("--result="):]
    return None


def _failed(error):
    return {"state": "failed", "xcoms": [], "skip_task_ids": [], "no_retry": False, "error": error,
            "variables_set": {}, "rendered_fields": {}}


def write_result(path, result):
    """Write the result atomically (a reader never sees half a file)."""
    LocalTransport(path).send_result(result)


def main(argv, context=None):
    """`python -m leoflow_runtime --result FILE | --execution-api`; `context` is the decoded task context
    when the fork server runs the try, None to read it through the transport."""
    if argv == ["--execution-api"]:
        try:
            transport = ExecutionApiTransport()
        except ExecutionApiError as error:
            sys.stderr.write(f"{error}\n")
            return 2
    else:
        result_path = _parse_args(argv)
        if result_path is None:
            sys.stderr.write(USAGE)
            return 2
        transport = LocalTransport(result_path, context)
    sys.stdout.reconfigure(line_buffering=True)
    from leoflow_runtime.taskrun import run_task
    try:
        payload = transport.fetch_context()
    except ValueError as error:
        sys.stderr.write(f"invalid task context on stdin: {error}\n")
        transport.send_result(_failed(f"invalid task context on stdin: {error}"))
        return 1
    except ExecutionApiError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    transport.start(payload)
    result = run_task(payload)
    try:
        delivered = transport.send_result(result)
    except ExecutionApiError as error:
        sys.stderr.write(f"{error}\n")
        delivered = False
    sys.stdout.flush()
    sys.stderr.flush()
    return 1 if result["state"] == "failed" or not delivered else 0
