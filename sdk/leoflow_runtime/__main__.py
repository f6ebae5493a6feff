"""Entry point of `python -m leoflow_runtime --result FILE` (task context JSON on stdin)."""
import sys

from leoflow.pycache import use_leoflow_pycache

use_leoflow_pycache()

from leoflow_runtime.cli import main  # noqa: E402  (after the cache prefix is set)

sys.exit(main(sys.argv[1:]))
