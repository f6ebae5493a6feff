"""Entry point of `python -m leoflow_runtime --result FILE` (task context JSON on stdin)."""
import sys

from leoflow_runtime.cli import main

sys.exit(main(sys.argv[1:]))
