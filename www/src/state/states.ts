// Task-instance and DAG-run states: Airflow's names, its colours and the
// priority it uses to summarise several states (a group, a mapped task) in
// one cell.
import type { TaskInstanceState } from "../api/types";

export type AnyState = TaskInstanceState | "no_status";

// Airflow's state colours; `no_status` is an outline in the grid.
export const stateColors: Record<string, string> = {
  success: "#008000",
  failed: "#e0190d",
  running: "#00b3d6",
  queued: "#808080",
  scheduled: "#d2b48c",
  up_for_retry: "#f0c000",
  up_for_reschedule: "#40e0d0",
  upstream_failed: "#ff9f1a",
  skipped: "#e91e8c",
  removed: "#b5b5b5",
  restarting: "#ee82ee",
  deferred: "#9370db",
  no_status: "transparent",
};

// Airflow's order for summarising: the first state present wins.
export const statePriority: AnyState[] = [
  "failed",
  "upstream_failed",
  "up_for_retry",
  "up_for_reschedule",
  "queued",
  "scheduled",
  "deferred",
  "running",
  "restarting",
  "no_status",
  "success",
  "skipped",
  "removed",
];

export function normalizeState(state: string | null | undefined): AnyState {
  if (!state || state === "none") return "no_status";
  return state as AnyState;
}

// The state that stands for a set of states (counts per state).
export function summaryState(counts: Partial<Record<AnyState, number>>): AnyState | null {
  for (const state of statePriority) if ((counts[state] ?? 0) > 0) return state;
  return null;
}

// States that still move: logs tail, pages keep refreshing.
export const activeStates = new Set<string>(["running", "queued", "scheduled", "up_for_retry", "up_for_reschedule", "restarting", "deferred"]);

export function stateLabel(state: string | null | undefined): string {
  return normalizeState(state).replace(/_/g, " ");
}
