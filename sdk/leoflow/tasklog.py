"""`self.log` of operators and hooks without importing `logging` up front: until something imports
`logging`, a line is written to stdout in the task log's format; from then on it goes through the
real logger of the same name (which the runtime configures with that format)."""
import os
import sys

_LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}
# The level the runtime gives the root logger: quieter lines are dropped.
_THRESHOLD = 20


class TaskLogger:
    """Stands in for logging.getLogger(name): the level methods need no `logging`; any other
    attribute is the real logger's."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, attribute):
        import logging
        return getattr(logging.getLogger(self.name), attribute)

    def debug(self, message, *args, **kwargs):
        self._log(10, message, args, **kwargs)

    def info(self, message, *args, **kwargs):
        self._log(20, message, args, **kwargs)

    def warning(self, message, *args, **kwargs):
        self._log(30, message, args, **kwargs)

    def error(self, message, *args, **kwargs):
        self._log(40, message, args, **kwargs)

    def exception(self, message, *args, exc_info=True, **kwargs):
        self._log(40, message, args, exc_info=exc_info, **kwargs)

    def critical(self, message, *args, **kwargs):
        self._log(50, message, args, **kwargs)

    def _log(self, level, message, args, exc_info=None, **kwargs):
        if "logging" in sys.modules or kwargs or exc_info not in (None, False, True):
            import logging
            # Two frames more: the line that called debug()/info()/..., not this module.
            stacklevel = kwargs.pop("stacklevel", 1) + 2
            logging.getLogger(self.name).log(level, message, *args, exc_info=exc_info, stacklevel=stacklevel,
                                             **kwargs)
            return
        if level < _THRESHOLD:
            return
        if len(args) == 1 and isinstance(args[0], dict) and args[0]:
            args = args[0]  # as logging does: "%(name)s" formats with a single mapping argument
        text = str(message) % args if args else str(message)
        caller = sys._getframe(2)
        line = f"{{{os.path.basename(caller.f_code.co_filename)}:{caller.f_lineno}}} {_LEVELS[level]} - {text}\n"
        if exc_info:
            import traceback
            line += traceback.format_exc()
        # A task that closed its stdout loses these lines, never its result:
        # logging's own handlers swallow write errors the same way.
        try:
            sys.stdout.write(line)
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
