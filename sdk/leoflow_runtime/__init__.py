"""Leoflow Lite's task runtime: `python -m leoflow_runtime --result FILE` runs one task try."""
