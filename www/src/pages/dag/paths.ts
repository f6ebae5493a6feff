// URLs of the UI's own pages.

const enc = encodeURIComponent;

export const dagPath = (dagId: string, tab?: string) => `/dags/${enc(dagId)}${tab ? `/${tab}` : ""}`;

export const runPath = (dagId: string, runId: string) => `/dags/${enc(dagId)}/runs/${enc(runId)}`;

export function taskInstancePath(dagId: string, runId: string, taskId: string, mapIndex?: number): string {
  const base = `${runPath(dagId, runId)}/tasks/${enc(taskId)}`;
  return mapIndex !== undefined && mapIndex >= 0 ? `${base}?map_index=${mapIndex}` : base;
}
