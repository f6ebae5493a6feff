"""`airflow.hooks.base`: BaseHook."""
from leoflow.models import BaseHook

__all__ = ["BaseHook"]
