// Lays the DAG out left to right with dagre (a compound graph: task groups
// are clusters around their tasks) and returns plain boxes and polylines for
// the SVG graph view. Pure, so it is unit-tested.
import dagre from "@dagrejs/dagre";

import type { StructureData } from "../api/types";

export interface Box {
  x: number; // top-left corner
  y: number;
  width: number;
  height: number;
}

export interface LaidOutTask extends Box {
  id: string;
  label: string;
  operator: string | null;
  isMapped: boolean;
}

export interface LaidOutGroup extends Box {
  id: string;
  label: string;
  depth: number;
}

export interface LaidOutEdge {
  source: string;
  target: string;
  points: Array<{ x: number; y: number }>;
}

export interface GraphLayout {
  width: number;
  height: number;
  tasks: LaidOutTask[];
  groups: LaidOutGroup[];
  edges: LaidOutEdge[];
}

export const nodeHeight = 44;
const charWidth = 7.2;
const groupLabelHeight = 20;

function taskWidth(label: string, operator: string | null): number {
  const longest = Math.max(label.length, (operator ?? "").length);
  return Math.max(120, Math.min(320, Math.ceil(longest * charWidth) + 28));
}

const groupKey = (id: string) => `group:${id}`;
const taskKey = (id: string) => `task:${id}`;

export function layoutGraph(structure: StructureData): GraphLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: 36, ranksep: 56, marginx: 24, marginy: 24 + groupLabelHeight });
  g.setDefaultEdgeLabel(() => ({}));

  const groupIds = new Set(structure.task_groups.map((group) => group.group_id));
  for (const group of structure.task_groups) g.setNode(groupKey(group.group_id), { width: 0, height: 0 });
  for (const group of structure.task_groups)
    if (group.parent && groupIds.has(group.parent)) g.setParent(groupKey(group.group_id), groupKey(group.parent));

  const taskIds = new Set(structure.tasks.map((task) => task.task_id));
  for (const task of structure.tasks) {
    g.setNode(taskKey(task.task_id), { width: taskWidth(task.label, task.operator), height: nodeHeight });
    if (task.task_group && groupIds.has(task.task_group)) g.setParent(taskKey(task.task_id), groupKey(task.task_group));
  }
  for (const edge of structure.edges)
    if (taskIds.has(edge.source_id) && taskIds.has(edge.target_id))
      g.setEdge(taskKey(edge.source_id), taskKey(edge.target_id));

  // Empty groups have nothing to lay out around.
  for (const group of structure.task_groups) {
    const key = groupKey(group.group_id);
    if ((g.children(key) ?? []).length === 0) g.removeNode(key);
  }

  dagre.layout(g);

  const depthOf = (id: string): number => {
    let depth = 0;
    let parent = structure.task_groups.find((group) => group.group_id === id)?.parent ?? null;
    while (parent) {
      depth += 1;
      const current: string = parent;
      parent = structure.task_groups.find((group) => group.group_id === current)?.parent ?? null;
    }
    return depth;
  };

  const tasks: LaidOutTask[] = structure.tasks.map((task) => {
    const n = g.node(taskKey(task.task_id));
    return {
      id: task.task_id,
      label: task.label,
      operator: task.operator,
      isMapped: task.is_mapped,
      x: (n.x ?? 0) - n.width / 2,
      y: (n.y ?? 0) - n.height / 2,
      width: n.width,
      height: n.height,
    };
  });

  const groups: LaidOutGroup[] = [];
  for (const group of structure.task_groups) {
    const n = g.node(groupKey(group.group_id));
    if (!n) continue;
    // Room for the group's name above its contents.
    groups.push({
      id: group.group_id,
      label: group.label,
      depth: depthOf(group.group_id),
      x: (n.x ?? 0) - n.width / 2,
      y: (n.y ?? 0) - n.height / 2 - groupLabelHeight,
      width: n.width,
      height: n.height + groupLabelHeight,
    });
  }
  // Outer groups first, so inner ones are drawn on top.
  groups.sort((a, b) => a.depth - b.depth);

  const edges: LaidOutEdge[] = g.edges().map((e) => ({
    source: e.v.slice("task:".length),
    target: e.w.slice("task:".length),
    points: (g.edge(e).points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
  }));

  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, tasks, groups, edges };
}
