"""Runs the parse: user output goes to stderr at the file-descriptor level, the spec to stdout.

Exit 0 with the spec, or 1 with the user's traceback on stderr.
"""
import os
import sys

from leoflow.callsite import SDK_ROOT


def _write_all(fd, data):
    while data:
        written = os.write(fd, data)
        data = data[written:]


def print_user_traceback(error):
    """The traceback from the user's first frame on (the parser's own frames trimmed).

    Errors with no user frame (a SyntaxError, a dependency cycle) print as the
    exception alone; a SyntaxError's text names the file and line.
    """
    import traceback
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(SDK_ROOT):
        tb = tb.tb_next
    if tb is None:
        sys.stderr.write("".join(traceback.format_exception_only(type(error), error)))
    else:
        traceback.print_exception(type(error), error, tb, file=sys.stderr)
    sys.stderr.flush()


def hide_site_packages():
    """sys.path as a virtualenv with nothing installed has it: the interpreter's own site-packages
    (and the user's) taken out, PYTHONPATH (the sdk) kept. Lite parses a project without dependencies
    with its shared interpreter, so that the file imports what its tasks will find."""
    import site
    hidden = [os.path.realpath(d) for d in site.getsitepackages() + [site.getusersitepackages()]]
    kept = {os.path.realpath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}

    def visible(entry):
        real = os.path.realpath(entry or os.curdir)
        return real in kept or not any(real == d or real.startswith(d + os.sep) for d in hidden)

    sys.path[:] = [entry for entry in sys.path if visible(entry)]


def main(argv):
    if len(argv) != 1:
        sys.stderr.write("usage: python -m leoflow_parser <dag_file>\n")
        return 2
    if os.environ.pop("LEOFLOW_PARSER_HIDE_SITE_PACKAGES", None) == "1":
        hide_site_packages()
    path = os.path.abspath(argv[0])
    spec_stdout = os.dup(1)
    os.dup2(2, 1)
    try:
        from leoflow.jsonout import dumps
        from leoflow.loader import collect_dags, load_dag_file
        from leoflow_parser.spec import file_spec
        module = load_dag_file(path)
        text = dumps(file_spec(path, collect_dags(module)))
    except BaseException as error:
        try:
            sys.stdout.flush()
        except Exception:
            pass
        print_user_traceback(error)
        return 1
    try:
        sys.stdout.flush()
    except Exception:
        pass
    _write_all(spec_stdout, (text + "\n").encode())
    return 0
