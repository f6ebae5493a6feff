"""Loads a DAG file as Airflow's DagBag does, for the parser and the runtime: module named after the
file, the file's folder first on sys.path (siblings import), `__file__` set; fallbacks for packages
Airflow brings along (pendulum) go last on sys.path, behind any real install."""
import os
import sys

from leoflow import callsite

FALLBACK_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fallback")


def module_name_for(path):
    """The module name a DAG file is loaded under."""
    stem = os.path.splitext(os.path.basename(path))[0]
    stdlib = getattr(sys, "stdlib_module_names", ())
    if stem.isidentifier() and stem not in sys.modules and stem not in stdlib and stem not in ("airflow", "leoflow"):
        return stem
    import hashlib
    return f"unusual_prefix_{hashlib.sha1(path.encode()).hexdigest()}_{stem if stem.isidentifier() else 'dag'}"


def load_dag_file(path, source=None):
    """Execute the DAG file (or `source` as if it were that file); return its module."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if folder in sys.path:
        sys.path.remove(folder)
    sys.path.insert(0, folder)
    if FALLBACK_DIR not in sys.path:
        sys.path.append(FALLBACK_DIR)
    callsite.main_file = path
    if source is None:
        with open(path, "rb") as handle:
            source = handle.read()
    code = compile(source, path, "exec", dont_inherit=True)
    name = module_name_for(path)
    module = type(sys)(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(code, module.__dict__)
    return module


def collect_dags(module):
    """The DAGs the file defined: auto-registered ones and module-level ones, by dag_id.

    A dag_id defined twice keeps the last definition, as Airflow's DagBag does.
    """
    from leoflow.dag import DAG, registry
    found = {}
    for candidate in list(registry) + [value for value in vars(module).values() if isinstance(value, DAG)]:
        found[candidate.dag_id] = candidate
    return list(found.values())
