"""Checks every fault test ends with: the SQLite store is intact, and a run's
state agrees with its task instances."""
import os
import signal
import sqlite3

TI_TERMINAL = {"success", "failed", "skipped", "upstream_failed", "removed"}


def store_file(home):
    return os.path.join(home, "dev", "lite.db")


def integrity_check(home):
    """`PRAGMA integrity_check` on the store (the server must not be running);
    its rows, ["ok"] when intact."""
    # mode=rw: a missing store is an error, not a new empty database.
    db = sqlite3.connect(f"file:{store_file(home)}?mode=rw", uri=True)
    try:
        return [row[0] for row in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()


def run_consistent(run_state, ti_states):
    """None when a finished run agrees with its task instances, else why not:
    every task instance is finished; success means every one succeeded (these
    DAGs have no branches, so nothing is skipped); failed means one failed."""
    unfinished = {k: v for k, v in ti_states.items() if v not in TI_TERMINAL}
    if unfinished:
        return f"unfinished task instances {unfinished}"
    if run_state == "success" and any(v != "success" for v in ti_states.values()):
        return f"a successful run with {ti_states}"
    if run_state == "failed" and not any(v in ("failed", "upstream_failed") for v in ti_states.values()):
        return f"a failed run with no failed task: {ti_states}"
    if run_state not in ("success", "failed"):
        return f"run state {run_state}"
    return None


def leftover_processes(path):
    """Pids of processes whose command line mentions `path` (a test's temporary
    folder): what a killed server left behind."""
    path = str(path)
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
        except OSError:
            continue
        if path in cmdline:
            pids.append(int(entry))
    return pids


def kill_leftovers(path):
    """SIGKILLs what leftover_processes finds, each by pid; returns the pids."""
    pids = leftover_processes(path)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids
