"""pytest configuration for the integration tests: the helpers in lite.py
are importable as `lite`."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
