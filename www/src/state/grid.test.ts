// Grid model: the task tree, collapsing groups, and cell summaries for
// groups and mapped tasks.
import { describe, expect, it } from "vitest";

import type { GridTaskInstances, StructureData } from "../api/types";
import { buildTree, cellSummary, describeCounts, indexTaskInstances, visibleRows } from "./grid";

const structure: StructureData = {
  dag_id: "etl",
  version_number: 2,
  task_groups: [
    { group_id: "stage", label: "stage", parent: null, tooltip: "" },
    { group_id: "stage.inner", label: "inner", parent: "stage", tooltip: "" },
    { group_id: "unused", label: "unused", parent: null, tooltip: "" },
  ],
  tasks: [
    { task_id: "extract", label: "extract", task_group: null, operator: "@task", is_mapped: false, trigger_rule: "all_success" },
    { task_id: "stage.clean", label: "clean", task_group: "stage", operator: "@task", is_mapped: false, trigger_rule: "all_success" },
    { task_id: "stage.inner.square", label: "square", task_group: "stage.inner", operator: "@task", is_mapped: true, trigger_rule: "all_success" },
    { task_id: "load", label: "load", task_group: null, operator: "BashOperator", is_mapped: false, trigger_rule: "all_success" },
  ],
  edges: [],
};

function ti(run_id: string, task_id: string, state: GridTaskInstances["state"], count = 1): GridTaskInstances {
  return { run_id, task_id, state, count, mapped: count > 1, try_number: 1, start_date: null, end_date: null };
}

describe("buildTree", () => {
  it("nests groups in definition order and keeps empty groups last", () => {
    const tree = buildTree(structure);
    expect(tree.map((n) => n.id)).toEqual(["extract", "stage", "load", "unused"]);
    const stage = tree[1];
    expect(stage.kind).toBe("group");
    if (stage.kind !== "group") return;
    expect(stage.children.map((n) => n.id)).toEqual(["stage.clean", "stage.inner"]);
  });
});

describe("visibleRows", () => {
  it("hides the children of collapsed groups", () => {
    const tree = buildTree(structure);
    const all = visibleRows(tree, new Set());
    expect(all.map((r) => [r.node.id, r.depth])).toEqual([
      ["extract", 0],
      ["stage", 0],
      ["stage.clean", 1],
      ["stage.inner", 1],
      ["stage.inner.square", 2],
      ["load", 0],
      ["unused", 0],
    ]);
    const collapsed = visibleRows(tree, new Set(["stage"]));
    expect(collapsed.map((r) => r.node.id)).toEqual(["extract", "stage", "load", "unused"]);
    expect(collapsed[1].expanded).toBe(false);
  });
});

describe("cellSummary", () => {
  const index = indexTaskInstances([
    ti("r1", "extract", "success"),
    ti("r1", "stage.clean", "success"),
    ti("r1", "stage.inner.square", "success", 3),
    ti("r1", "stage.inner.square", "failed", 1),
    ti("r1", "load", "upstream_failed"),
    ti("r2", "extract", "running"),
    ti("r2", "stage.clean", null),
  ]);
  const tree = buildTree(structure);

  it("summarises a mapped task's map indexes with Airflow's priority", () => {
    const square = { kind: "task" as const, id: "stage.inner.square", label: "square", operator: null, isMapped: true };
    const cell = cellSummary(index, "r1", square);
    expect(cell.state).toBe("failed");
    expect(cell.total).toBe(4);
    expect(describeCounts(cell.counts)).toBe("3 success, 1 failed");
  });

  it("summarises every task of a group", () => {
    expect(cellSummary(index, "r1", tree[1]).state).toBe("failed");
    expect(cellSummary(index, "r2", tree[1]).state).toBe("no_status");
  });

  it("prefers running over no status, and is empty without task instances", () => {
    expect(cellSummary(index, "r2", tree[0]).state).toBe("running");
    expect(cellSummary(index, "r3", tree[0]).state).toBeNull();
  });
});
