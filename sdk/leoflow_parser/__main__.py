"""Entry point of `python -m leoflow_parser <dag_file>`."""
import sys

from leoflow_parser.cli import main

sys.exit(main(sys.argv[1:]))
