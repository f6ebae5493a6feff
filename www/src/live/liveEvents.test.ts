// The event stream's reducer: parsing, what each event invalidates, and
// batching a burst into one refetch per query.
import { describe, expect, it } from "vitest";

import { InvalidationBatch, invalidationsFor, liveEventTypes, noticeFor, parseLiveEvent } from "./liveEvents";

describe("parseLiveEvent", () => {
  it("reads the engine's events", () => {
    expect(parseLiveEvent("dag_version", '{"dag_id":"etl","version_number":3}')).toEqual({
      type: "dag_version",
      dag_id: "etl",
      version_number: 3,
    });
    expect(
      parseLiveEvent(
        "task_instance",
        '{"dag_id":"etl","run_id":"manual__1","task_id":"load","map_index":-1,"state":"success","try_number":1}',
      ),
    ).toMatchObject({ type: "task_instance", task_id: "load", state: "success" });
    expect(parseLiveEvent("import_error", '{"filename":"/d/dag.py","stack_trace":"","cleared":true}')).toMatchObject({
      cleared: true,
    });
    expect(parseLiveEvent("resync", "{}")).toEqual({ type: "resync" });
    expect(parseLiveEvent("dag", '{"dag_id":"etl","is_paused":true}')).toEqual({
      type: "dag",
      dag_id: "etl",
      is_paused: true,
    });
  });

  it("listens to every event the server publishes", () => {
    // liveEventNames is generated from the server's list: a new event there
    // must be parsed here (or the page never hears of it).
    const samples: Record<string, string> = {
      dag: '{"dag_id":"etl","is_paused":false}',
      dag_version: '{"dag_id":"etl","version_number":1,"fileloc":"/d/etl/dag.py"}',
      dag_removed: '{"dag_id":"etl"}',
      import_error: '{"filename":"/d/dag.py","stack_trace":"x","cleared":false}',
      dag_run: '{"dag_id":"etl","run_id":"r","state":"running"}',
      task_instance: '{"dag_id":"etl","run_id":"r","task_id":"t","map_index":-1,"state":null,"try_number":1}',
      resync: "{}",
    };
    expect([...liveEventTypes].sort()).toEqual(Object.keys(samples).sort());
    for (const type of liveEventTypes) expect(parseLiveEvent(type, samples[type]), type).toMatchObject({ type });
  });

  it("ignores what it cannot use", () => {
    expect(parseLiveEvent("dag_version", "not json")).toBeNull();
    expect(parseLiveEvent("dag_version", '{"dag_id": 1}')).toBeNull();
    expect(parseLiveEvent("dag", '{"dag_id":"etl","is_paused":"yes"}')).toBeNull();
    expect(parseLiveEvent("something_new", '{"dag_id":"etl"}')).toBeNull();
  });
});

describe("invalidationsFor", () => {
  it("refreshes the DAG lists and the DAG's page on a pause", () => {
    const keys = invalidationsFor({ type: "dag", dag_id: "etl", is_paused: true });
    expect(keys).toContainEqual(["dags"]);
    expect(keys).toContainEqual(["dag", "etl"]);
    expect(keys).toContainEqual(["dagDetails", "etl"]);
    expect(keys).toContainEqual(["dashboard"]);
  });

  it("refreshes a DAG's structure on a new version", () => {
    const keys = invalidationsFor({ type: "dag_version", dag_id: "etl", version_number: 2 });
    expect(keys).toContainEqual(["structure", "etl"]);
    expect(keys).toContainEqual(["grid", "etl"]);
    expect(keys).toContainEqual(["importErrors"]);
  });

  it("refreshes the grid and the task instance on a state change", () => {
    const keys = invalidationsFor({
      type: "task_instance",
      dag_id: "etl",
      run_id: "r",
      task_id: "t",
      map_index: -1,
      state: "running",
      try_number: 1,
    });
    expect(keys).toContainEqual(["grid", "etl"]);
    expect(keys).toContainEqual(["taskInstance", "etl", "r", "t"]);
  });

  it("refreshes everything on resync", () => {
    expect(invalidationsFor({ type: "resync" })).toBeNull();
  });
});

describe("InvalidationBatch", () => {
  it("deduplicates and lets a prefix cover longer keys", () => {
    const batch = new InvalidationBatch();
    batch.add([["grid", "etl"], ["taskInstance", "etl", "r", "a"]]);
    batch.add([["grid", "etl"], ["taskInstance", "etl", "r", "b"]]);
    batch.add([["taskInstance", "etl"]]);
    expect(batch.drain()).toEqual([["grid", "etl"], ["taskInstance", "etl"]]);
    expect(batch.empty).toBe(true);
  });

  it("turns into everything once a resync arrives", () => {
    const batch = new InvalidationBatch();
    batch.add([["grid", "etl"]]);
    batch.add(null);
    expect(batch.drain()).toBeNull();
    expect(batch.drain()).toEqual([]);
  });
});

describe("noticeFor", () => {
  it("announces versions and import errors, not state changes", () => {
    expect(noticeFor({ type: "dag_version", dag_id: "etl", version_number: 4 })).toBe("etl: version 4 registered");
    expect(noticeFor({ type: "dag_run", dag_id: "etl", run_id: "r", state: "success" })).toBeNull();
  });
});
