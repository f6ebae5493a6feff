// The UI's writes, beside queries.ts: each sends one request and then
// refreshes the queries it made stale (the live stream refreshes them too,
// for other pages and other people).
import type { QueryClient } from "@tanstack/react-query";

import { api, apiPath } from "./client";
import type { DagRun, TaskInstanceCollection } from "./types";

const dags = "/api/v2/dags";

export type MarkState = "success" | "failed";

export async function setDagPaused(queryClient: QueryClient, dagId: string, paused: boolean): Promise<void> {
  await api.patch(apiPath(dags, dagId), { is_paused: paused });
  await queryClient.invalidateQueries({ queryKey: ["dags"] });
  await queryClient.invalidateQueries({ queryKey: ["dag", dagId] });
  await queryClient.invalidateQueries({ queryKey: ["dashboard"] });
}

export async function triggerRun(queryClient: QueryClient, dagId: string, body: Record<string, unknown>): Promise<DagRun> {
  const run = await api.post<DagRun>(apiPath(dags, dagId, "dagRuns"), body);
  void queryClient.invalidateQueries({ queryKey: ["grid", dagId] });
  void queryClient.invalidateQueries({ queryKey: ["dagRuns", dagId] });
  return run;
}

export async function markRun(queryClient: QueryClient, dagId: string, runId: string, state: MarkState): Promise<void> {
  await api.patch(apiPath(dags, dagId, "dagRuns", runId), { state });
  await queryClient.invalidateQueries({ queryKey: ["dagRun", dagId, runId] });
  await queryClient.invalidateQueries({ queryKey: ["taskInstances", dagId, runId] });
  await queryClient.invalidateQueries({ queryKey: ["grid", dagId] });
}

export async function deleteRun(queryClient: QueryClient, dagId: string, runId: string): Promise<void> {
  await api.delete(apiPath(dags, dagId, "dagRuns", runId));
  await queryClient.invalidateQueries({ queryKey: ["grid", dagId] });
}

export async function markTaskInstance(
  queryClient: QueryClient,
  target: { dagId: string; runId: string; taskId: string; mapIndex: number },
  state: MarkState,
): Promise<void> {
  const { dagId, runId, taskId, mapIndex } = target;
  const base = apiPath(dags, dagId, "dagRuns", runId, "taskInstances", taskId);
  await api.patch(mapIndex >= 0 ? apiPath(base, mapIndex) : base, { new_state: state });
  await queryClient.invalidateQueries({ queryKey: ["taskInstance", dagId, runId, taskId] });
  await queryClient.invalidateQueries({ queryKey: ["grid", dagId] });
}

// What to clear: one task instance (clearTaskInstances) or, without taskId,
// a whole run (dagRuns/{run_id}/clear).
export interface ClearTarget {
  dagId: string;
  runId: string;
  taskId?: string;
  mapIndex?: number;
}

export interface ClearOptions {
  upstream: boolean;
  downstream: boolean;
  onlyFailed: boolean;
}

// With dryRun, what would be cleared (nothing changes).
export function clearRequest(target: ClearTarget, options: ClearOptions, dryRun: boolean): Promise<TaskInstanceCollection> {
  if (target.taskId === undefined) {
    return api.post<TaskInstanceCollection>(apiPath(dags, target.dagId, "dagRuns", target.runId, "clear"), {
      dry_run: dryRun,
      only_failed: options.onlyFailed,
    });
  }
  const task = target.mapIndex !== undefined && target.mapIndex >= 0 ? [target.taskId, target.mapIndex] : target.taskId;
  return api.post<TaskInstanceCollection>(apiPath(dags, target.dagId, "clearTaskInstances"), {
    dag_run_id: target.runId,
    task_ids: [task],
    include_upstream: options.upstream,
    include_downstream: options.downstream,
    only_failed: options.onlyFailed,
    reset_dag_runs: true,
    dry_run: dryRun,
  });
}

export async function clearTaskInstances(queryClient: QueryClient, target: ClearTarget, options: ClearOptions): Promise<void> {
  const { dagId, runId } = target;
  await clearRequest(target, options, false);
  await queryClient.invalidateQueries({ queryKey: ["grid", dagId] });
  await queryClient.invalidateQueries({ queryKey: ["taskInstances", dagId, runId] });
  await queryClient.invalidateQueries({ queryKey: ["taskInstance", dagId, runId] });
  await queryClient.invalidateQueries({ queryKey: ["dagRun", dagId, runId] });
}
