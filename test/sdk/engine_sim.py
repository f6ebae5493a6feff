"""A small stand-in for the C++ scheduler, for tests only: runs every task of a parsed DAG through
the real runtime in dependency order, feeding XComs forward and applying skips, retries,
trigger rules and dynamic mapping as docs/contracts.md describes the engine's side."""
from conftest import run_task

FINISHED = {"success", "failed", "skipped", "upstream_failed"}


def _trigger(rule, states):
    """The state a task with these upstream states gets: "run", "skipped" or "upstream_failed" (or None)."""
    if any(state not in FINISHED for state in states):
        return None
    failed = sum(state in ("failed", "upstream_failed") for state in states)
    skipped = sum(state == "skipped" for state in states)
    success = sum(state == "success" for state in states)
    if rule == "all_success":
        return "upstream_failed" if failed else "skipped" if skipped else "run"
    if rule in ("all_done", "always"):
        return "run"
    if rule == "none_failed":
        return "upstream_failed" if failed else "run"
    if rule == "none_failed_min_one_success":
        return "upstream_failed" if failed else "run" if success or not states else "skipped"
    if rule == "one_success":
        return "run" if success else "upstream_failed" if failed else "skipped"
    if rule == "one_failed":
        return "run" if failed else "skipped"
    if rule == "all_failed":
        return "run" if failed == len(states) else "skipped"
    if rule == "none_skipped":
        return "skipped" if skipped else "run"
    if rule == "all_skipped":
        return "run" if skipped == len(states) else "skipped"
    raise AssertionError(f"trigger rule {rule} not simulated")


def _ref_length(ref, xcoms, mapped_ids):
    if "literal" in ref:
        return len(ref["literal"])
    task_id, key = ref["xcom"]["task_id"], ref["xcom"]["key"]
    values = [x for x in xcoms if x["task_id"] == task_id and x["key"] == key]
    if task_id in mapped_ids:
        return len(values)
    return len(values[0]["value"]) if values else 0


def _map_count(task, xcoms, mapped_ids):
    mapping = task["mapping"]
    if mapping["kind"] == "expand_kwargs":
        return _ref_length(mapping["source"], xcoms, mapped_ids)
    count = 1
    for ref in mapping["args"].values():
        count *= _ref_length(ref, xcoms, mapped_ids)
    return count


def run_dag(spec_dag, dag_file, tmp_path, conf=None):
    """Run the whole DAG once; {task_id: state}, {task_id: try_number}, xcoms, logs by task id."""
    tasks = {task["task_id"]: task for task in spec_dag["tasks"]}
    mapped_ids = {task_id for task_id, task in tasks.items() if task["mapping"]}
    states, tries, logs, xcoms, map_counts = {}, {}, {}, [], {}
    progress = True
    while progress:
        progress = False
        for task_id, task in tasks.items():
            if task_id in states:
                continue
            decision = _trigger(task["trigger_rule"], [states.get(up) for up in task["upstream"]])
            if decision is None:
                continue
            progress = True
            if decision != "run":
                states[task_id] = decision
                continue
            if task["type"] == "empty":
                states[task_id] = "success"
                continue
            indexes = [-1]
            if task["mapping"]:
                count = _map_count(task, xcoms, mapped_ids)
                map_counts[task_id] = count
                indexes = list(range(count))
                if not indexes:
                    states[task_id] = "skipped"
                    continue
            index_states = []
            for map_index in indexes:
                try_number = 1
                while True:
                    code, result, out, err = run_task(
                        dag_file, spec_dag["dag_id"], task_id, tmp_path, map_index=map_index,
                        try_number=try_number, max_tries=task["retries"], xcoms=xcoms, conf=conf or {},
                        upstream_map_indexes=dict(map_counts))
                    logs[task_id] = logs.get(task_id, "") + out + err
                    assert result is not None, err
                    assert code == (1 if result["state"] == "failed" else 0)
                    if result["state"] == "failed" and not result["no_retry"] and try_number <= task["retries"]:
                        try_number += 1
                        continue
                    break
                tries[task_id] = try_number
                xcoms.extend({"task_id": task_id, "map_index": map_index, **x} for x in result["xcoms"])
                for skipped in result["skip_task_ids"]:
                    states.setdefault(skipped, "skipped")
                index_states.append(result["state"])
            states[task_id] = ("failed" if "failed" in index_states
                               else "success" if "success" in index_states else "skipped")
    return states, tries, xcoms, logs
