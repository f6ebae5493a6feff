"""The server killed with SIGKILL at random points of busy runs, 20 times over
the same LEOFLOW_HOME: after each kill the store is intact and every run and
DAG version the API had shown is still there; in the end every run finishes
in a state its task instances agree with.

The kill points come from a seeded random generator; the seed is printed
(LEOFLOW_FAULT_SEED replays one)."""
import os
import random
import signal
import time

from faults import integrity_check, run_consistent
from lite import Lite, wait_until
from runs import task_states, trigger, wait_registered, write_project

ITERATIONS = 20
MAX_DELAY_S = 2.0

BUSY = '''
    # generation {generation}: each iteration saves a new version
    import time
    from airflow.sdk import DAG, task

    with DAG("busy", schedule=None, max_active_runs=32):
        @task
        def start():
            return 1

        @task
        def work(value, part):
            time.sleep(0.2)
            return value + part

        @task
        def join(values):
            return sum(values)

        first = start()
        join([work.override(task_id=f"work_{{i}}")(first, i) for i in range(4)])
'''


def versions(lite):
    status, body = lite.get("/api/v2/dags/busy/dagVersions?limit=1000")
    assert status == 200, body
    return {v["version_number"] for v in body["dag_versions"]}


def runs(lite):
    status, body = lite.get("/api/v2/dags/busy/dagRuns?limit=1000")
    assert status == 200, body
    return {r["dag_run_id"]: r["state"] for r in body["dag_runs"]}


def test_kill_9_at_random_points_loses_nothing(tmp_path):
    seed = int(os.environ.get("LEOFLOW_FAULT_SEED") or time.time_ns() % 1_000_000)
    print(f"kill -9 seed: {seed} (LEOFLOW_FAULT_SEED={seed} replays it)")
    rng = random.Random(seed)
    dags, home = tmp_path / "dags", str(tmp_path / "home")
    write_project(dags, "busy", BUSY.format(generation=0))
    seen_versions, seen_runs = set(), set()
    delays = []
    for iteration in range(ITERATIONS):
        with Lite(dags, home=home) as lite:
            if iteration == 0:
                wait_registered(lite, "busy")
            # What the API showed before the last kill is still there.
            missing_versions = seen_versions - versions(lite)
            missing_runs = seen_runs - set(runs(lite))
            assert not missing_versions and not missing_runs, (
                f"seed {seed}, iteration {iteration}: lost versions {missing_versions}, runs {missing_runs}")
            # A new version is parsed and registered while runs start and go on.
            write_project(dags, "busy", BUSY.format(generation=iteration + 1))
            seen_runs.add(trigger(lite, "busy")["dag_run_id"])
            delay = rng.uniform(0, MAX_DELAY_S)
            delays.append(round(delay, 3))
            time.sleep(delay)  # the fault's random point, not a wait for a condition
            seen_versions |= versions(lite)
            seen_runs |= set(runs(lite))
            lite.stop(signal.SIGKILL)
        assert integrity_check(home) == ["ok"], f"seed {seed}, iteration {iteration}"
    print(f"kill points (s after the trigger): {delays}")

    with Lite(dags, home=home) as lite:
        assert seen_versions <= versions(lite)
        assert seen_runs <= set(runs(lite))

        def all_finished():
            states = runs(lite)
            return states if all(s in ("success", "failed") for s in states.values()) else None
        final = wait_until(all_finished, 180, lambda: f"seed {seed}: runs never finished: {runs(lite)}\n{lite.output()}")
        print(f"runs: {sum(s == 'success' for s in final.values())} succeeded, "
              f"{sum(s == 'failed' for s in final.values())} failed (a try the kill interrupted)")
        for run_id, state in final.items():
            problem = run_consistent(state, task_states(lite, "busy", run_id))
            assert problem is None, f"seed {seed}, run {run_id}: {problem}"
        # Work goes on: a fresh run succeeds.
        run_id = trigger(lite, "busy")["dag_run_id"]
        done = wait_until(lambda: runs(lite).get(run_id) in ("success", "failed") and runs(lite)[run_id], 120,
                          lite.output)
        assert done == "success", task_states(lite, "busy", run_id)
        lite.stop()
    assert integrity_check(home) == ["ok"]
