// What the server's event stream says (GET /ui/events) and what each event
// makes stale: pure functions, so the mapping is unit-tested without a
// browser. The provider (LiveProvider.tsx) feeds them from an EventSource.
import type { QueryKey } from "@tanstack/react-query";

import { liveEventNames, type LiveEvent } from "./liveEventTypes.generated";

// The union and the names come from the server's list (common/live_events.hpp).
export type { LiveEvent };
export const liveEventTypes = liveEventNames;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// The event, or null when its data does not have the fields the UI needs.
export function parseLiveEvent(type: string, data: string): LiveEvent | null {
  if (type === "resync") return { type };
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(body)) return null;
  const text = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : null);
  const dagId = text("dag_id");
  switch (type) {
    case "dag":
      return dagId !== null && typeof body.is_paused === "boolean" ? { type, dag_id: dagId, is_paused: body.is_paused } : null;
    case "dag_version":
      return dagId !== null && typeof body.version_number === "number"
        ? { type, dag_id: dagId, version_number: body.version_number, ...(text("fileloc") !== null ? { fileloc: text("fileloc")! } : {}) }
        : null;
    case "dag_removed":
      return dagId !== null ? { type, dag_id: dagId } : null;
    case "import_error":
      return text("filename") !== null
        ? { type, filename: text("filename")!, stack_trace: text("stack_trace") ?? "", cleared: body.cleared === true }
        : null;
    case "dag_run":
      return dagId !== null && text("run_id") !== null
        ? { type, dag_id: dagId, run_id: text("run_id")!, state: text("state") ?? "" }
        : null;
    case "task_instance":
      return dagId !== null && text("run_id") !== null && text("task_id") !== null
        ? {
            type,
            dag_id: dagId,
            run_id: text("run_id")!,
            task_id: text("task_id")!,
            map_index: typeof body.map_index === "number" ? body.map_index : -1,
            state: text("state"),
            try_number: typeof body.try_number === "number" ? body.try_number : 0,
          }
        : null;
    default:
      return null;
  }
}

// Query-key prefixes (see api/queries.ts `keys`) that an event makes stale.
// `null` means everything: the client may have missed events.
export function invalidationsFor(event: LiveEvent): QueryKey[] | null {
  switch (event.type) {
    case "resync":
      return null;
    case "dag": {
      // Paused or unpaused (from this page, another one or a script).
      const id = event.dag_id;
      return [["dags"], ["dashboard"], ["recentRuns"], ["dag", id], ["dagDetails", id]];
    }
    case "dag_version": {
      const id = event.dag_id;
      return [
        ["dags"],
        ["dagTags"],
        ["dashboard"],
        ["importErrors"],
        ["dag", id],
        ["dagDetails", id],
        ["tasks", id],
        ["structure", id],
        ["grid", id],
        ["dagSource", id],
        ["dagVersions", id],
      ];
    }
    case "dag_removed":
      return [["dags"], ["dagTags"], ["dashboard"], ["recentRuns"], ["dag", event.dag_id]];
    case "import_error":
      return [["importErrors"], ["dags"], ["dashboard"]];
    case "dag_run": {
      const id = event.dag_id;
      return [["dashboard"], ["recentRuns"], ["dags"], ["dag", id], ["dagDetails", id], ["grid", id], ["dagRuns", id], ["dagRun", id, event.run_id]];
    }
    case "task_instance": {
      const { dag_id: id, run_id: run, task_id: task } = event;
      return [
        ["dashboard"],
        ["grid", id],
        ["taskInstances", id, run],
        ["taskInstance", id, run, task],
        ["tries", id, run, task],
        ["xcom", id, run, task],
      ];
    }
  }
}

function isPrefix(prefix: QueryKey, key: QueryKey): boolean {
  if (prefix.length > key.length) return false;
  return prefix.every((part, i) => JSON.stringify(part) === JSON.stringify(key[i]));
}

// Collects invalidations between flushes, so a burst of events (a fan-out of
// 200 tasks finishing) refetches each query once.
export class InvalidationBatch {
  private prefixes: QueryKey[] = [];
  private everything = false;

  add(prefixes: QueryKey[] | null): void {
    if (prefixes === null) {
      this.everything = true;
      return;
    }
    for (const p of prefixes) {
      if (this.prefixes.some((q) => isPrefix(q, p))) continue;
      this.prefixes = this.prefixes.filter((q) => !isPrefix(p, q));
      this.prefixes.push(p);
    }
  }

  get empty(): boolean {
    return !this.everything && this.prefixes.length === 0;
  }

  // The prefixes to invalidate (null: everything), leaving the batch empty.
  drain(): QueryKey[] | null {
    const result = this.everything ? null : this.prefixes;
    this.prefixes = [];
    this.everything = false;
    return result;
  }
}

// A one-line notice for events worth telling the user about.
export function noticeFor(event: LiveEvent): string | null {
  switch (event.type) {
    case "dag_version":
      return `${event.dag_id}: version ${event.version_number} registered`;
    case "dag_removed":
      return `${event.dag_id} was removed`;
    case "import_error":
      return event.cleared ? `${event.filename} imports again` : `Import error in ${event.filename}`;
    default:
      return null;
  }
}
