"""Leoflow Lite's DAG parser: `python -m leoflow_parser <dag_file>` prints the DAG spec JSON."""
