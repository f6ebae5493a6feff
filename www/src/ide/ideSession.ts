// The /ide page's session state: the open tabs, which one is shown, each
// file's dirty flag, its save in flight, a refused save's conflict and what
// the watcher answered. A pure reducer (unit-tested without a browser); the
// page keeps the editor states themselves (CodeMirror objects) beside it.
import type { Text } from "@codemirror/state";

export type OutcomeKind = "saving" | "waiting" | "saved" | "registered" | "error" | "conflict" | "failed" | "info";

export interface Outcome {
  kind: OutcomeKind;
  text: string;
  detail?: string;
}

// A file as it is on disk when the page last read or wrote it.
export interface DiskVersion {
  content: string;
  etag: string;
}

export interface OpenFile {
  key: string;
  root: number;
  path: string;
  etag: string;
  saved: Text; // the document as last read or saved
  dirty: boolean;
  saving: boolean;
  outcome: Outcome | null;
  // A refused save: what is on disk now (null when the file is gone).
  conflict: { disk: DiskVersion | null } | null;
}

export interface IdeSession {
  files: OpenFile[];
  activeKey: string | null;
}

export const emptySession: IdeSession = { files: [], activeKey: null };

export type IdeAction =
  // A file was read: a new tab, shown.
  | { type: "opened"; key: string; root: number; path: string; etag: string; doc: Text }
  | { type: "shown"; key: string | null }
  | { type: "edited"; key: string; dirty: boolean }
  | { type: "save-started"; key: string }
  // `dirty`: the editor changed again while the save was on its way.
  | { type: "saved"; key: string; etag: string; doc: Text; dirty: boolean; unchanged: boolean; at: string }
  // 409 (changed on disk: `disk` is what is there now) or 404 (gone).
  | { type: "save-refused"; key: string; disk: DiskVersion | null; gone: boolean }
  | { type: "save-failed"; key: string; message: string }
  // No word from the watcher for a while after a save.
  | { type: "watcher-quiet"; key: string }
  | { type: "reloaded"; key: string; etag: string; doc: Text }
  | { type: "recreated"; key: string; etag: string; doc: Text }
  | { type: "import-error"; key: string; text: string; detail: string }
  | { type: "imports-cleanly"; key: string }
  | { type: "registered"; key: string; dag_id: string; version_number: number }
  | { type: "closed"; key: string }
  // A file or folder was renamed: tabs under `from` move to `to` (new keys from `keyOf`).
  | { type: "renamed"; root: number; from: string; to: string; keyOf: (root: number, path: string) => string };

export function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

function change(state: IdeSession, key: string, fn: (f: OpenFile) => Partial<OpenFile>): IdeSession {
  if (!state.files.some((f) => f.key === key)) return state;
  return { ...state, files: state.files.map((f) => (f.key === key ? { ...f, ...fn(f) } : f)) };
}

export function ideSession(state: IdeSession, action: IdeAction): IdeSession {
  switch (action.type) {
    case "opened": {
      if (state.files.some((f) => f.key === action.key)) return { ...state, activeKey: action.key };
      const file: OpenFile = {
        key: action.key,
        root: action.root,
        path: action.path,
        etag: action.etag,
        saved: action.doc,
        dirty: false,
        saving: false,
        outcome: null,
        conflict: null,
      };
      return { files: [...state.files, file], activeKey: action.key };
    }
    case "shown":
      return state.activeKey === action.key ? state : { ...state, activeKey: action.key };
    case "edited":
      return change(state, action.key, (f) => (f.dirty === action.dirty ? {} : { dirty: action.dirty }));
    case "save-started":
      return change(state, action.key, () => ({ saving: true, outcome: { kind: "saving", text: "Saving…" } }));
    case "saved":
      return change(state, action.key, (f) => ({
        etag: action.etag,
        saved: action.doc,
        dirty: action.dirty,
        saving: false,
        conflict: null,
        // The watcher can answer before the save's response arrives: its word stands.
        outcome:
          f.outcome?.kind !== "saving"
            ? f.outcome
            : action.unchanged
              ? { kind: "saved", text: "Saved · the file on disk already had this content" }
              : { kind: "waiting", text: `Saved at ${action.at} · waiting for the watcher…` },
      }));
    case "save-refused":
      return change(state, action.key, () => ({
        saving: false,
        conflict: { disk: action.gone ? null : action.disk },
        outcome: {
          kind: "conflict",
          text: action.gone
            ? "Not saved: the file is no longer on disk (deleted or renamed)"
            : "Not saved: the file changed on disk since it was opened",
        },
      }));
    case "save-failed":
      return change(state, action.key, () => ({
        saving: false,
        outcome: { kind: "failed", text: `Not saved: ${action.message}` },
      }));
    case "watcher-quiet":
      return change(state, action.key, (f) =>
        f.outcome?.kind === "waiting"
          ? { outcome: { kind: "saved", text: "Saved · no new DAG version (not part of a DAG, or nothing that matters changed)" } }
          : {},
      );
    case "reloaded":
      return change(state, action.key, () => ({
        etag: action.etag,
        saved: action.doc,
        dirty: false,
        conflict: null,
        outcome: { kind: "info", text: "Reloaded from disk" },
      }));
    case "recreated":
      return change(state, action.key, () => ({
        etag: action.etag,
        saved: action.doc,
        dirty: false,
        conflict: null,
        outcome: { kind: "waiting", text: "Created again · waiting for the watcher…" },
      }));
    case "import-error":
      return change(state, action.key, () => ({ outcome: { kind: "error", text: action.text, detail: action.detail } }));
    case "imports-cleanly":
      return change(state, action.key, (f) =>
        f.outcome?.kind === "error" || f.outcome?.kind === "waiting" ? { outcome: { kind: "saved", text: "✓ Imports cleanly" } } : {},
      );
    case "registered":
      return change(state, action.key, () => ({
        outcome: { kind: "registered", text: `✓ ${action.dag_id}: registered version ${action.version_number}` },
      }));
    case "closed": {
      const index = state.files.findIndex((f) => f.key === action.key);
      if (index < 0) return state;
      const files = state.files.filter((f) => f.key !== action.key);
      if (state.activeKey !== action.key) return { ...state, files };
      const next = files[Math.min(index, files.length - 1)];
      return { files, activeKey: next ? next.key : null };
    }
    case "renamed": {
      let activeKey = state.activeKey;
      const files = state.files.map((f) => {
        if (f.root !== action.root || !within(f.path, action.from)) return f;
        const path = action.to + f.path.slice(action.from.length);
        const key = action.keyOf(action.root, path);
        if (state.activeKey === f.key) activeKey = key;
        return { ...f, key, path };
      });
      return { files, activeKey };
    }
  }
}
