"""Entry point of `python -m leoflow_parser <dag_file>`."""
import os
import sys

from leoflow.pycache import use_leoflow_pycache

use_leoflow_pycache()

from leoflow_parser.cli import main  # noqa: E402  (after the cache prefix is set)

exit_code = main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.flush()
# Threads or exit handlers the DAG file left behind must not keep a parse alive.
os._exit(exit_code)
