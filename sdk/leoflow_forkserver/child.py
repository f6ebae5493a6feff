"""A fork of the server turned into the CLI run its request describes: own process group, default
signal handling, the request's streams, folder and environment, sys.argv/__main__/sys.path as
`python -m` sets them; then the parser's or the runtime's main, and os._exit. It never returns."""
import atexit
import importlib.util
import os
import sys
import time

# The interpreter's signal core: the `signal` module's enum wrapping would make a fork copy more pages.
import _signal as signal
from leoflow.pycache import use_leoflow_pycache

# Exit status of a child that could not be set up (a stream or the folder cannot be opened).
SETUP_FAILED = 126
_MAX_FD = os.sysconf("SC_OPEN_MAX")


def _replace_environ(env):
    # Only the differences: the request's environment is mostly the server's own.
    for key in [key for key in os.environ if key not in env]:
        del os.environ[key]
    for key, value in env.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _open_stream(path):
    """The engine's FIFO (or a file) for writing. Non-blocking open: a FIFO whose reader is gone (the
    engine was killed) fails at once with ENXIO instead of blocking the child forever."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK, 0o644)
    os.set_blocking(fd, True)
    return fd


def _isolate(request, startup_sigchld):
    os.setpgid(0, 0)
    # The server's SIGCHLD wakeup must not write into whatever file takes the pipe's fd number.
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, startup_sigchld)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    null = os.open(os.devnull, os.O_RDONLY)
    stdout = _open_stream(request["stdout"])
    stderr = _open_stream(request["stderr"])
    os.dup2(null, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    os.closerange(3, _MAX_FD)
    os.chdir(request["cwd"])
    _replace_environ(request["env"])
    time.tzset()
    # Read from the environment at interpreter start: a fork must take it from the request.
    sys.pycache_prefix = request["env"].get("PYTHONPYCACHEPREFIX") or None


def _pose_as_main(spec, args):
    """__main__, sys.argv and sys.path[0] as `python -m <package> args` run from the cwd sets them."""
    module = importlib.util.module_from_spec(spec)
    module.__name__ = "__main__"
    sys.modules["__main__"] = module
    sys.argv = [spec.origin] + args
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = sys.orig_argv[:1] + ["-m", spec.parent] + args
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = os.getcwd()


def _call(main, *args):
    """main(*args); an exception that escapes is printed as the interpreter prints it, status 1."""
    try:
        return main(*args)
    except BaseException:
        import traceback
        traceback.print_exc()
        return 1


def _run_task(request, spec):
    _pose_as_main(spec, ["--result", request["result"]])
    use_leoflow_pycache()
    from leoflow_runtime.cli import main
    code = _call(main, sys.argv[1:], request["context"])
    # What the interpreter does after `sys.exit(main(...))`: wait for non-daemon threads, run atexit.
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()
    atexit._run_exitfuncs()
    return code


def _run_parse(request, spec):
    _pose_as_main(spec, [request["dag_file"]])
    use_leoflow_pycache()
    from leoflow_parser.cli import main
    # The parser's own entry point ends with os._exit too (no thread joins, no atexit).
    return _call(main, sys.argv[1:])


def run(request, entry_points, startup_sigchld):
    """Become the run `request` describes and exit with its status; never returns."""
    code = SETUP_FAILED
    try:
        _isolate(request, startup_sigchld)
        code = 1
        if request["kind"] == "task":
            code = _run_task(request, entry_points["leoflow_runtime"])
        else:
            code = _run_parse(request, entry_points["leoflow_parser"])
    except BaseException as error:
        if code == SETUP_FAILED:
            os.write(2, f"leoflow_forkserver: request {request['id']}: {error}\n".encode())
        else:
            import traceback
            traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)
