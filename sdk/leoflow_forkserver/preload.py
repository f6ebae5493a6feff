"""What the server imports once so that its forks start warm: every module of the airflow layer,
leoflow, the parser and the runtime (never their __main__, never user code, not jinja2, which a
DAG's virtualenv may bring in its own version), and the standard modules they import on demand."""
import importlib
import importlib.util
import os

PACKAGES = ("airflow", "leoflow", "leoflow_parser", "leoflow_runtime")
ENTRY_POINTS = ("leoflow_parser", "leoflow_runtime")
# Imported lazily by the SDK: failures, JSON variables, odd callables, module names, patterns. Not
# `threading` (logging and subprocess import it) nor `random` (tempfile): their fork hooks would
# cost every fork more than importing them costs the tries that use them.
STANDARD_MODULES = ("traceback", "json", "inspect", "hashlib", "re", "shutil")


def _modules_of(package):
    """Names of the package's modules, its sub-packages' included (folders without __init__.py skipped)."""
    root = os.path.dirname(importlib.util.find_spec(package).origin)
    names = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders
                               if os.path.exists(os.path.join(folder, name, "__init__.py")))
        relative = os.path.relpath(folder, root)
        prefix = package if relative == "." else ".".join([package] + relative.split(os.sep))
        for file in sorted(files):
            if file.endswith(".py") and file != "__main__.py":
                names.append(prefix if file == "__init__.py" else f"{prefix}.{file[:-3]}")
    return names


def preload():
    """Import everything; the specs of the parser's and the runtime's __main__ modules, by package."""
    for name in STANDARD_MODULES:
        importlib.import_module(name)
    for package in PACKAGES:
        for name in _modules_of(package):
            importlib.import_module(name)
    return {package: importlib.util.find_spec(f"{package}.__main__") for package in ENTRY_POINTS}
