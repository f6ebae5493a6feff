"""Makes jinja2 importable in a task virtualenv without the rest of dist-packages: when `import jinja2`
fails, $LEOFLOW_HOME/dev/pylib/ (symlinks to the system's jinja2 and markupsafe only) is created
once, atomically, and appended at the end of sys.path so a virtualenv's own copy still wins."""
import os
import sys

PACKAGES = ("jinja2", "markupsafe")


def _system_dist_packages():
    minor = f"python3.{sys.version_info[1]}"
    for folder in ("/usr/lib/python3/dist-packages", f"/usr/lib/{minor}/dist-packages",
                   "/usr/local/lib/python3/dist-packages", f"/usr/local/lib/{minor}/dist-packages"):
        if all(os.path.isdir(os.path.join(folder, name)) for name in PACKAGES):
            return folder
    return None


def _complete(pylib):
    return all(os.path.isdir(os.path.join(pylib, name)) for name in PACKAGES)


def pylib_dir():
    home = os.environ.get("LEOFLOW_HOME") or os.path.join(os.path.expanduser("~"), ".leoflow")
    return os.path.join(home, "dev", "pylib")


def ensure_pylib():
    """The pylib folder, created if needed; None when the system has no jinja2 to link to."""
    pylib = pylib_dir()
    if _complete(pylib):
        return pylib
    source = _system_dist_packages()
    if source is None:
        return None
    os.makedirs(os.path.dirname(pylib), exist_ok=True)
    staging = f"{pylib}.tmp-{os.getpid()}"
    os.makedirs(staging, exist_ok=True)
    for name in PACKAGES:
        link = os.path.join(staging, name)
        if not os.path.lexists(link):
            os.symlink(os.path.join(source, name), link)
    if os.path.lexists(pylib) and not _complete(pylib):
        stale = f"{pylib}.stale-{os.getpid()}"
        os.rename(pylib, stale)
        for name in os.listdir(stale):
            os.unlink(os.path.join(stale, name))
        os.rmdir(stale)
    try:
        os.rename(staging, pylib)
    except OSError:
        # Another process created it first; its links are the same.
        for name in os.listdir(staging):
            os.unlink(os.path.join(staging, name))
        os.rmdir(staging)
    return pylib


def import_jinja2():
    """`jinja2`, from the environment or else through the pylib fallback."""
    try:
        import jinja2
        return jinja2
    except ImportError:
        pass
    pylib = ensure_pylib()
    if pylib is None:
        raise ImportError("jinja2 is needed to render templates: install python3-jinja2 (Debian) "
                          "or jinja2 in the DAG's virtualenv")
    if pylib not in sys.path:
        sys.path.append(pylib)
    import jinja2
    return jinja2
