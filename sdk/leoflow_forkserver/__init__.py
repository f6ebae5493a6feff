"""Leoflow Lite's fork server: `python -m leoflow_forkserver` preloads the parser and the runtime, then
runs each parse or task try in a fork of itself (protocol in docs/contracts.md)."""
