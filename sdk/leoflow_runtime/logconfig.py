"""Configures `logging` for the task log (INFO and up on stdout, Airflow's line format) the moment
anything imports it, so that a try which never uses `logging` never pays for importing it."""
import sys

FORMAT = "{%(filename)s:%(lineno)d} %(levelname)s - %(message)s"


def _configure(logging):
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format=FORMAT)


class _ConfigureAfterLoading:
    """Loader of `logging` that runs the real loader, then configures the new module."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # The module shows its real loader (tracebacks read source through it).
        module.__loader__ = module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        _configure(module)


class _FirstLoggingImport:
    """Meta path finder that only acts on the first `import logging`, then steps aside."""

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        from importlib.util import find_spec
        spec = find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _ConfigureAfterLoading(spec.loader)
        return spec


def configure_task_logging():
    logging = sys.modules.get("logging")
    if logging is not None:
        _configure(logging)
    else:
        sys.meta_path.insert(0, _FirstLoggingImport())
