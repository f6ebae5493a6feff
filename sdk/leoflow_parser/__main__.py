"""Entry point of `python -m leoflow_parser <dag_file>`."""
import sys

from leoflow.pycache import use_leoflow_pycache

use_leoflow_pycache()

from leoflow_parser.cli import main  # noqa: E402  (after the cache prefix is set)

sys.exit(main(sys.argv[1:]))
