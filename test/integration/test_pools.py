"""Pools against a real `leoflow lite`: the /api/v2/pools endpoints with
Airflow's rules (default_pool, update_mask, 409/400/404/422), and the engine
keeping to them — a pool's slots, priority_weight and weight_rule when slots
are short, a missing pool holding its tasks until it is created, and
max_active_tis_per_dagrun."""
import pytest

from lite import Lite, q, wait_until
from runs import task_instance, trigger, wait_registered, wait_run, write_project


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    dags = tmp_path_factory.mktemp("dags")
    with Lite(dags) as server:
        server.dags = dags
        yield server


def pool(lite, name):
    status, body = lite.get(f"/api/v2/pools/{q(name)}")
    assert status == 200, body
    return body


def intervals(lite, dag_id, run_id):
    status, body = lite.get(f"/api/v2/dags/{q(dag_id)}/dagRuns/{q(run_id)}/taskInstances?limit=100")
    assert status == 200, body
    return sorted(((ti["start_date"], ti["end_date"], ti["task_id"], ti["map_index"])
                   for ti in body["task_instances"]), key=lambda t: t[0])


def assert_one_at_a_time(spans):
    for (_, end, *first), (start, _, *second) in zip(spans, spans[1:]):
        assert end <= start, f"{first} ran until {end}, {second} started at {start}"


def test_the_pool_api_follows_airflow(lite):
    status, listing = lite.get("/api/v2/pools")
    assert status == 200 and listing["total_entries"] == 1
    assert listing["pools"][0] == {"name": "default_pool", "slots": 128, "description": "Default pool",
                                   "include_deferred": False, "occupied_slots": 0, "running_slots": 0,
                                   "queued_slots": 0, "scheduled_slots": 0, "open_slots": 128,
                                   "deferred_slots": 0, "team_name": None}

    status, created = lite.request("POST", "/api/v2/pools", {"name": "api_pool", "slots": 3})
    assert status == 201, created
    assert created["slots"] == 3 and created["open_slots"] == 3 and created["description"] is None
    assert created["include_deferred"] is False
    status, again = lite.request("POST", "/api/v2/pools", {"name": "api_pool", "slots": 4})
    assert status == 409 and "already exists" in again["detail"]
    assert pool(lite, "api_pool")["slots"] == 3

    status, body = lite.request("POST", "/api/v2/pools", {"name": "bad", "slots": -2})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "slots"]
    status, body = lite.request("POST", "/api/v2/pools", {"name": "bad", "slots": 1, "colour": "red"})
    assert status == 422 and body["detail"][0]["type"] == "extra_forbidden"
    status, body = lite.request("POST", "/api/v2/pools", {"slots": 1})
    assert status == 422 and body["detail"][0]["loc"] == ["body", "name"]
    assert lite.get("/api/v2/pools/bad")[0] == 404

    # A whole body, then one field by update_mask.
    status, patched = lite.request("PATCH", "/api/v2/pools/api_pool",
                                   {"name": "api_pool", "slots": 8, "description": "eight", "include_deferred": True})
    assert status == 200 and (patched["slots"], patched["description"], patched["include_deferred"]) == (8, "eight", True)
    status, patched = lite.request("PATCH", "/api/v2/pools/api_pool?update_mask=slots", {"slots": -1, "description": "x"})
    assert status == 200 and patched["slots"] == -1 and patched["open_slots"] == -1 and patched["description"] == "eight"
    status, body = lite.request("PATCH", "/api/v2/pools/api_pool", {"pool": "api_pool"})
    assert status == 422 and [e["loc"] for e in body["detail"]] == [["slots"], ["include_deferred"]]
    status, body = lite.request("PATCH", "/api/v2/pools/api_pool", {"name": "renamed", "slots": 1, "include_deferred": False})
    assert status == 400 and body["detail"] == "Invalid body, pool name from request body doesn't match uri parameter"
    assert lite.request("PATCH", "/api/v2/pools/nope", {"slots": 1, "include_deferred": False})[0] == 404

    # default_pool: slots and include_deferred by update_mask only; never deleted.
    status, body = lite.request("PATCH", "/api/v2/pools/default_pool", {"slots": 5, "include_deferred": False})
    assert status == 400 and body["detail"] == "Only slots and included_deferred can be modified on Default Pool"
    status, body = lite.request("PATCH", "/api/v2/pools/default_pool?update_mask=description", {"description": "x"})
    assert status == 400
    status, body = lite.request("PATCH", "/api/v2/pools/default_pool?update_mask=slots", {"slots": 64})
    assert status == 200 and body["slots"] == 64 and body["description"] == "Default pool"
    assert lite.request("PATCH", "/api/v2/pools/default_pool?update_mask=slots", {"slots": 128})[0] == 200
    status, body = lite.request("DELETE", "/api/v2/pools/default_pool")
    assert status == 400 and body["detail"] == "Default Pool can't be deleted"

    status, listing = lite.get("/api/v2/pools?pool_name_pattern=api&order_by=-name")
    assert status == 200 and [p["name"] for p in listing["pools"]] == ["api_pool"]
    assert lite.get("/api/v2/pools?order_by=colour")[0] == 400

    assert lite.request("DELETE", "/api/v2/pools/api_pool")[0] == 204
    status, body = lite.get("/api/v2/pools/api_pool")
    assert status == 404 and body["detail"] == "The Pool with name: `api_pool` was not found"
    assert lite.request("DELETE", "/api/v2/pools/api_pool")[0] == 404
    status, events = lite.get("/api/v2/eventLogs?included_events=post_pool&included_events=patch_pool&included_events=delete_pool&limit=100")
    assert [e["event"] for e in events["event_logs"]].count("post_pool") == 1
    assert {"patch_pool", "delete_pool"} <= {e["event"] for e in events["event_logs"]}


def test_a_one_slot_pool_runs_its_tasks_one_at_a_time_by_priority(lite):
    status, _ = lite.request("POST", "/api/v2/pools", {"name": "single", "slots": 1})
    assert status == 201
    write_project(lite.dags, "pooled", '''
        import time
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2025, 1, 1))
        def pooled():
            for name, weight in (("low", 1), ("high", 9), ("middle", 5)):
                @task(task_id=name, pool="single", priority_weight=weight, weight_rule="absolute")
                def work():
                    time.sleep(0.3)  # the work itself: long enough that an overlap shows
                work()

        pooled()
    ''')
    wait_registered(lite, "pooled")
    run = trigger(lite, "pooled")
    wait_until(lambda: pool(lite, "single")["occupied_slots"] == 1, message=lite.output)
    assert pool(lite, "single")["open_slots"] == 0
    assert wait_run(lite, "pooled", run["dag_run_id"])["state"] == "success"
    spans = intervals(lite, "pooled", run["dag_run_id"])
    assert [s[2] for s in spans] == ["high", "middle", "low"]
    assert_one_at_a_time(spans)
    assert task_instance(lite, "pooled", run["dag_run_id"], "high")["pool"] == "single"
    assert pool(lite, "single")["occupied_slots"] == 0


def test_a_missing_pool_holds_its_task_until_the_pool_exists(lite):
    write_project(lite.dags, "waits_for_pool", '''
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2025, 1, 1))
        def waits_for_pool():
            @task(pool="later")
            def later():
                return "ran"

            @task
            def meanwhile():
                return "free"

            later()
            meanwhile()

        waits_for_pool()
    ''')
    wait_registered(lite, "waits_for_pool")
    run = trigger(lite, "waits_for_pool")
    run_id = run["dag_run_id"]
    wait_until(lambda: "pool 'later' does not exist" in lite.output(), message=lite.output)
    wait_until(lambda: task_instance(lite, "waits_for_pool", run_id, "meanwhile")["state"] == "success",
               message=lite.output)
    assert task_instance(lite, "waits_for_pool", run_id, "later")["state"] is None
    assert lite.request("POST", "/api/v2/pools", {"name": "later", "slots": 1})[0] == 201
    assert wait_run(lite, "waits_for_pool", run_id)["state"] == "success"


def test_max_active_tis_per_dagrun_and_effective_priority_weights(lite):
    write_project(lite.dags, "one_by_one", '''
        import time
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2025, 1, 1))
        def one_by_one():
            @task
            def items():
                return [1, 2, 3, 4]

            @task(max_active_tis_per_dagrun=1)
            def each(n):
                time.sleep(0.2)  # the work itself
                return n

            @task
            def total(values):
                return sum(values)

            total(each.expand(n=items()))

        one_by_one()
    ''')
    wait_registered(lite, "one_by_one")
    run = trigger(lite, "one_by_one")
    assert wait_run(lite, "one_by_one", run["dag_run_id"])["state"] == "success", lite.output()
    spans = [s for s in intervals(lite, "one_by_one", run["dag_run_id"]) if s[2] == "each"]
    assert len(spans) == 4
    assert_one_at_a_time(spans)
    # A task instance shows Airflow's effective weight: downstream by default.
    assert task_instance(lite, "one_by_one", run["dag_run_id"], "items")["priority_weight"] == 3
    assert task_instance(lite, "one_by_one", run["dag_run_id"], "total")["priority_weight"] == 1
