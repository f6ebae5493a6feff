// Data fetching with TanStack Query: one hook per resource, and the query
// keys the live event stream invalidates (see live/liveEvents.ts).
import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api, apiPath, csrfCookie, readCookie } from "./client";
import type {
  Dag,
  DagCollection,
  DagDetails,
  DagRun,
  DagRunCollection,
  DagSource,
  DagVersion,
  Dashboard,
  GridData,
  ImportErrorCollection,
  LogResponse,
  Me,
  RecentRuns,
  StructureData,
  Task,
  TaskInstance,
  TaskInstanceCollection,
  XComCollection,
  XComEntry,
} from "./types";

const v2 = "/api/v2";

// Keys are arrays whose first element names the resource and whose second,
// where there is one, is the dag_id: invalidation works on those prefixes.
export const keys = {
  me: ["me"] as const,
  dashboard: ["dashboard"] as const,
  importErrors: ["importErrors"] as const,
  dags: (params: DagListParams) => ["dags", params] as const,
  dagTags: ["dagTags"] as const,
  recentRuns: (dagIds: string[]) => ["recentRuns", dagIds] as const,
  dag: (dagId: string) => ["dag", dagId] as const,
  dagDetails: (dagId: string) => ["dagDetails", dagId] as const,
  tasks: (dagId: string) => ["tasks", dagId] as const,
  structure: (dagId: string, version?: number) => ["structure", dagId, version ?? "latest"] as const,
  grid: (dagId: string, limit: number) => ["grid", dagId, limit] as const,
  dagRuns: (dagId: string, offset: number) => ["dagRuns", dagId, offset] as const,
  dagRun: (dagId: string, runId: string) => ["dagRun", dagId, runId] as const,
  taskInstances: (dagId: string, runId: string) => ["taskInstances", dagId, runId] as const,
  taskInstance: (dagId: string, runId: string, taskId: string, mapIndex: number) =>
    ["taskInstance", dagId, runId, taskId, mapIndex] as const,
  tries: (dagId: string, runId: string, taskId: string, mapIndex: number) =>
    ["tries", dagId, runId, taskId, mapIndex] as const,
  xcom: (dagId: string, runId: string, taskId: string, mapIndex: number) =>
    ["xcom", dagId, runId, taskId, mapIndex] as const,
  dagSource: (dagId: string, version?: number) => ["dagSource", dagId, version ?? "latest"] as const,
  dagVersions: (dagId: string) => ["dagVersions", dagId] as const,
};

export interface DagListParams {
  search: string;
  tag: string;
  paused: "all" | "active" | "paused";
  limit: number;
  offset: number;
}

// Who is signed in. Only asked when the browser holds a session (the CSRF
// cookie comes with it): without a login there is nobody to show.
export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: () => api.get<Me>("/auth/me"),
    enabled: readCookie(document.cookie, csrfCookie) !== null,
    retry: false,
    staleTime: 60_000,
  });
}

export function useDashboard() {
  return useQuery({ queryKey: keys.dashboard, queryFn: () => api.get<Dashboard>("/ui/dashboard") });
}

export function useImportErrors() {
  return useQuery({
    queryKey: keys.importErrors,
    queryFn: () => api.get<ImportErrorCollection>(`${v2}/importErrors`, { limit: 100, order_by: "filename" }),
  });
}

export function useDags(params: DagListParams) {
  return useQuery({
    queryKey: keys.dags(params),
    queryFn: () =>
      api.get<DagCollection>(`${v2}/dags`, {
        dag_id_pattern: params.search,
        tags: params.tag ? [params.tag] : undefined,
        paused: params.paused === "all" ? undefined : params.paused === "paused",
        limit: params.limit,
        offset: params.offset,
        order_by: "dag_id",
      }),
    placeholderData: keepPreviousData,
  });
}

export function useDagTags() {
  return useQuery({
    queryKey: keys.dagTags,
    queryFn: () => api.get<{ tags: string[] }>(`${v2}/dagTags`, { limit: 100 }),
  });
}

export function useRecentRuns(dagIds: string[]) {
  return useQuery({
    queryKey: keys.recentRuns(dagIds),
    queryFn: () => api.get<RecentRuns>("/ui/recent_runs", { dag_ids: dagIds.join(","), limit: 1 }),
    enabled: dagIds.length > 0,
    placeholderData: keepPreviousData,
  });
}

export function useDag(dagId: string) {
  return useQuery({ queryKey: keys.dag(dagId), queryFn: () => api.get<Dag>(apiPath(`${v2}/dags`, dagId)) });
}

export function useDagDetails(dagId: string) {
  return useQuery({
    queryKey: keys.dagDetails(dagId),
    queryFn: () => api.get<DagDetails>(apiPath(`${v2}/dags`, dagId, "details")),
  });
}

export function useTasks(dagId: string) {
  return useQuery({
    queryKey: keys.tasks(dagId),
    queryFn: () => api.get<{ tasks: Task[]; total_entries: number }>(apiPath(`${v2}/dags`, dagId, "tasks")),
  });
}

export function useStructure(dagId: string, version?: number) {
  return useQuery({
    queryKey: keys.structure(dagId, version),
    queryFn: () => api.get<StructureData>(apiPath("/ui/structure", dagId), { version_number: version }),
  });
}

export function useGrid(dagId: string, limit: number) {
  return useQuery({
    queryKey: keys.grid(dagId, limit),
    queryFn: () => api.get<GridData>(apiPath("/ui/grid", dagId), { limit }),
    placeholderData: keepPreviousData,
  });
}

export const runsPageSize = 25;

export function useDagRuns(dagId: string, offset: number) {
  return useQuery({
    queryKey: keys.dagRuns(dagId, offset),
    queryFn: () =>
      api.get<DagRunCollection>(apiPath(`${v2}/dags`, dagId, "dagRuns"), {
        limit: runsPageSize,
        offset,
        order_by: "-run_after",
      }),
    placeholderData: keepPreviousData,
  });
}

export function useDagRun(dagId: string, runId: string) {
  return useQuery({
    queryKey: keys.dagRun(dagId, runId),
    queryFn: () => api.get<DagRun>(apiPath(`${v2}/dags`, dagId, "dagRuns", runId)),
  });
}

export function useTaskInstances(dagId: string, runId: string) {
  return useQuery({
    queryKey: keys.taskInstances(dagId, runId),
    queryFn: () =>
      api.get<TaskInstanceCollection>(apiPath(`${v2}/dags`, dagId, "dagRuns", runId, "taskInstances"), {
        limit: 1000,
      }),
  });
}

function taskInstancePath(dagId: string, runId: string, taskId: string, mapIndex: number): string {
  const base = apiPath(`${v2}/dags`, dagId, "dagRuns", runId, "taskInstances", taskId);
  return mapIndex >= 0 ? apiPath(base, mapIndex) : base;
}

export function useTaskInstance(dagId: string, runId: string, taskId: string, mapIndex: number) {
  return useQuery({
    queryKey: keys.taskInstance(dagId, runId, taskId, mapIndex),
    queryFn: () => api.get<TaskInstance>(taskInstancePath(dagId, runId, taskId, mapIndex)),
  });
}

export function useTries(dagId: string, runId: string, taskId: string, mapIndex: number) {
  return useQuery({
    queryKey: keys.tries(dagId, runId, taskId, mapIndex),
    queryFn: () =>
      api.get<TaskInstanceCollection>(`${taskInstancePath(dagId, runId, taskId, mapIndex)}/tries`),
  });
}

export function useXComEntries(dagId: string, runId: string, taskId: string, mapIndex: number) {
  return useQuery({
    queryKey: keys.xcom(dagId, runId, taskId, mapIndex),
    queryFn: async () => {
      const base = apiPath(`${v2}/dags`, dagId, "dagRuns", runId, "taskInstances", taskId, "xcomEntries");
      const list = await api.get<XComCollection>(base, { map_index: mapIndex, limit: 100 });
      const withValues = list.xcom_entries.map((entry) =>
        api.get<XComEntry>(apiPath(base, entry.key), { map_index: mapIndex, stringify: false, deserialize: true }),
      );
      return Promise.all(withValues);
    },
  });
}

export function fetchLog(
  dagId: string,
  runId: string,
  taskId: string,
  mapIndex: number,
  tryNumber: number,
  token: string | null,
  signal?: AbortSignal,
) {
  const path = apiPath(`${v2}/dags`, dagId, "dagRuns", runId, "taskInstances", taskId, "logs", tryNumber);
  return api.get<LogResponse>(path, { map_index: mapIndex, token: token ?? undefined }, signal);
}

export function useDagSource(dagId: string, version?: number) {
  return useQuery({
    queryKey: keys.dagSource(dagId, version),
    queryFn: () => api.get<DagSource>(apiPath(`${v2}/dagSources`, dagId), { version_number: version }),
  });
}

export function useDagVersions(dagId: string) {
  return useQuery({
    queryKey: keys.dagVersions(dagId),
    queryFn: () =>
      api.get<{ dag_versions: DagVersion[]; total_entries: number }>(
        apiPath(`${v2}/dags`, dagId, "dagVersions"),
        { order_by: "-version_number", limit: 100 },
      ),
  });
}
