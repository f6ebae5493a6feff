// The graph layout: left to right, groups around their tasks.
import { describe, expect, it } from "vitest";

import type { StructureData } from "../api/types";
import { layoutGraph } from "./graphLayout";

const structure: StructureData = {
  dag_id: "etl",
  version_number: 1,
  task_groups: [{ group_id: "transform", label: "transform", parent: null, tooltip: "" }],
  tasks: [
    { task_id: "extract", label: "extract", task_group: null, operator: "@task", is_mapped: false, trigger_rule: null },
    { task_id: "transform.clean", label: "clean", task_group: "transform", operator: "@task", is_mapped: false, trigger_rule: null },
    { task_id: "transform.join", label: "join", task_group: "transform", operator: "@task", is_mapped: false, trigger_rule: null },
    { task_id: "load", label: "load", task_group: null, operator: "BashOperator", is_mapped: false, trigger_rule: null },
  ],
  edges: [
    { source_id: "extract", target_id: "transform.clean" },
    { source_id: "transform.clean", target_id: "transform.join" },
    { source_id: "transform.join", target_id: "load" },
  ],
};

describe("layoutGraph", () => {
  const layout = layoutGraph(structure);
  const task = (id: string) => layout.tasks.find((t) => t.id === id)!;

  it("places upstream tasks left of their downstream", () => {
    expect(task("extract").x).toBeLessThan(task("transform.clean").x);
    expect(task("transform.clean").x).toBeLessThan(task("transform.join").x);
    expect(task("transform.join").x).toBeLessThan(task("load").x);
  });

  it("draws a group around its tasks and nothing else", () => {
    const [group] = layout.groups;
    const inside = (id: string) => {
      const t = task(id);
      return t.x >= group.x && t.x + t.width <= group.x + group.width && t.y >= group.y && t.y + t.height <= group.y + group.height;
    };
    expect(inside("transform.clean")).toBe(true);
    expect(inside("transform.join")).toBe(true);
    expect(inside("extract")).toBe(false);
  });

  it("routes every edge and fits everything in the canvas", () => {
    expect(layout.edges).toHaveLength(3);
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    for (const t of layout.tasks) {
      expect(t.x + t.width).toBeLessThanOrEqual(layout.width);
      expect(t.y + t.height).toBeLessThanOrEqual(layout.height);
    }
  });
});
