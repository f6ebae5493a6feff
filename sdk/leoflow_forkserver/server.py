"""The server loop, single-threaded: a poll over stdin (requests) and a SIGCHLD wakeup pipe (children
to reap). Each request is answered with its child's pid at once, and again when the child ends."""
import gc
import os
import select
import sys

# The child restores SIGCHLD with the interpreter's signal core, which knows its own handler objects.
import _signal as signal

from leoflow_forkserver import child, protocol
from leoflow_forkserver.preload import preload


def _reply(reply):
    data = protocol.encode(reply)
    while data:
        data = data[os.write(1, data):]


def _start(request, running, entry_points, startup_sigchld):
    try:
        pid = os.fork()
    except OSError as error:
        _reply({"id": request["id"], "error": f"cannot fork: {error}"})
        return
    if pid == 0:
        child.run(request, entry_points, startup_sigchld)
    try:
        # Also done here so the group exists before the engine hears of the pid and may kill it.
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child did it first, or has already ended
    running[pid] = request["id"]
    _reply({"id": request["id"], "pid": pid})


def _handle(line, running, entry_points, startup_sigchld):
    try:
        request = protocol.parse_request(line)
    except protocol.BadRequest as error:
        _reply({"id": error.request_id, "error": str(error)})
        return
    _start(request, running, entry_points, startup_sigchld)


def _reap(running):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _reply(protocol.exit_reply(running.pop(pid), pid, status))


def _drain(fd):
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def serve(entry_points, startup_sigchld, wakeup):
    """Answer requests until stdin ends."""
    poller = select.poll()
    poller.register(0, select.POLLIN)
    poller.register(wakeup, select.POLLIN)
    running = {}
    pending = bytearray()
    while True:
        for fd, _ in poller.poll():
            if fd == wakeup:
                _drain(wakeup)
                _reap(running)
                continue
            data = os.read(0, 1 << 16)
            if not data:
                return
            pending += data
            end = pending.find(b"\n")
            while end >= 0:
                line = bytes(pending[:end])
                del pending[:end + 1]
                _handle(line, running, entry_points, startup_sigchld)
                end = pending.find(b"\n")


def main():
    startup_sigchld = signal.getsignal(signal.SIGCHLD)
    entry_points = preload()
    # Preloaded objects leave the collector's generations: a child's collections do not touch
    # (and so copy) the pages they live on.
    gc.freeze()
    wakeup, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wakeup_write, warn_on_full_buffer=False)
    # The wakeup fd is only written for a signal that has a Python-level handler.
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    try:
        _reply({"ready": True, "pid": os.getpid(), "python": sys.executable})
        serve(entry_points, startup_sigchld, wakeup)
    except BrokenPipeError:
        pass  # the engine stopped reading replies: it is gone
    return 0
