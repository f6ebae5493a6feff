"""`airflow.utils.edgemodifier`: Label and EdgeModifier."""
from leoflow.edges import EdgeModifier, Label

__all__ = ["EdgeModifier", "Label"]
