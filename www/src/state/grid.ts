// The grid's model: the DAG's task tree (task groups, mapped tasks) as rows,
// recent runs as columns, and each cell's state, including the summaries of
// a group (all its tasks) and of a mapped task (all its map indexes).
import type { GridData, GridTaskInstances, RunSummary, StructureData } from "../api/types";
import { normalizeState, summaryState, type AnyState } from "./states";

export interface TaskNode {
  kind: "task";
  id: string;
  label: string;
  operator: string | null;
  isMapped: boolean;
}

export interface GroupNode {
  kind: "group";
  id: string;
  label: string;
  tooltip: string;
  children: TreeNode[];
}

export type TreeNode = TaskNode | GroupNode;

// Builds the tree of groups and tasks in definition order. A task whose
// group is unknown sits at the top level.
export function buildTree(structure: StructureData): TreeNode[] {
  const groups = new Map<string, GroupNode>();
  for (const g of structure.task_groups)
    groups.set(g.group_id, { kind: "group", id: g.group_id, label: g.label, tooltip: g.tooltip, children: [] });
  const roots: TreeNode[] = [];
  const placed = new Set<string>();
  const place = (node: TreeNode, parent: string | null) => {
    const holder = parent ? groups.get(parent) : undefined;
    if (holder) holder.children.push(node);
    else roots.push(node);
  };
  // A group appears where its first task (or sub-group) does.
  const placeGroup = (id: string) => {
    if (placed.has(id)) return;
    placed.add(id);
    const spec = structure.task_groups.find((g) => g.group_id === id);
    if (spec?.parent) placeGroup(spec.parent);
    place(groups.get(id)!, spec?.parent ?? null);
  };
  for (const task of structure.tasks) {
    if (task.task_group && groups.has(task.task_group)) placeGroup(task.task_group);
    place(
      { kind: "task", id: task.task_id, label: task.label, operator: task.operator, isMapped: task.is_mapped },
      task.task_group && groups.has(task.task_group) ? task.task_group : null,
    );
  }
  for (const id of groups.keys()) placeGroup(id);
  return roots;
}

export interface GridRow {
  node: TreeNode;
  depth: number;
  expanded: boolean;
}

// The visible rows: children of collapsed groups are hidden.
export function visibleRows(tree: TreeNode[], collapsed: ReadonlySet<string>): GridRow[] {
  const rows: GridRow[] = [];
  const walk = (nodes: TreeNode[], depth: number) => {
    for (const node of nodes) {
      const expanded = node.kind === "group" && !collapsed.has(node.id);
      rows.push({ node, depth, expanded });
      if (node.kind === "group" && expanded) walk(node.children, depth + 1);
    }
  };
  walk(tree, 0);
  return rows;
}

export function taskIdsUnder(node: TreeNode): string[] {
  if (node.kind === "task") return [node.id];
  return node.children.flatMap(taskIdsUnder);
}

export interface CellSummary {
  state: AnyState | null;
  counts: Partial<Record<AnyState, number>>;
  total: number;
  tryNumber: number;
}

export type CellIndex = Map<string, Map<string, GridTaskInstances[]>>;

// run_id → task_id → rows (one per state).
export function indexTaskInstances(rows: GridTaskInstances[]): CellIndex {
  const index: CellIndex = new Map();
  for (const row of rows) {
    let byTask = index.get(row.run_id);
    if (!byTask) index.set(row.run_id, (byTask = new Map()));
    const list = byTask.get(row.task_id) ?? [];
    list.push(row);
    byTask.set(row.task_id, list);
  }
  return index;
}

// The cell of `node` in run `runId`: a task's own state (or the summary of
// its map indexes), or the summary of every task in a group.
export function cellSummary(index: CellIndex, runId: string, node: TreeNode): CellSummary {
  const byTask = index.get(runId);
  const counts: Partial<Record<AnyState, number>> = {};
  let total = 0;
  let tryNumber = 0;
  for (const taskId of taskIdsUnder(node)) {
    for (const row of byTask?.get(taskId) ?? []) {
      const state = normalizeState(row.state);
      counts[state] = (counts[state] ?? 0) + row.count;
      total += row.count;
      tryNumber = Math.max(tryNumber, row.try_number);
    }
  }
  return { state: total > 0 ? summaryState(counts) : null, counts, total, tryNumber };
}

// Runs oldest first, as the grid draws them left to right.
export function runsOldestFirst(grid: GridData): RunSummary[] {
  return [...grid.dag_runs].reverse();
}

export function runDurationSeconds(run: Pick<RunSummary, "start_date" | "end_date">, now: number): number | null {
  if (!run.start_date) return null;
  const start = Date.parse(run.start_date);
  const end = run.end_date ? Date.parse(run.end_date) : now;
  return Math.max(0, (end - start) / 1000);
}

// "3 success, 1 failed" for a cell's tooltip.
export function describeCounts(counts: Partial<Record<AnyState, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([state, n]) => `${n} ${state.replace(/_/g, " ")}`)
    .join(", ");
}
