"""Keeps Python's bytecode caches out of DAG project folders (a file watcher would see them):
the parser and the runtime write them under $LEOFLOW_HOME/dev/pycache unless a prefix is set."""
import os
import sys


def use_leoflow_pycache():
    if sys.pycache_prefix is None:
        home = os.environ.get("LEOFLOW_HOME") or os.path.join(os.path.expanduser("~"), ".leoflow")
        sys.pycache_prefix = os.path.join(home, "dev", "pycache")
