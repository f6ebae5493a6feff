// The /ide page: the watched folders as a file tree, open files as tabs in
// one CodeMirror view (each tab keeps its own state, so its own undo
// history), saves with the file's etag, and after a save what the watcher
// did — "registered version N" or the parse error marked at its line — as
// the live channel reports it. A save of a file changed on disk since it
// was opened is refused; the page offers to reload it or overwrite it. The
// tabs and what each file went through live in ideSession.ts (a reducer).
import { isolateHistory } from "@codemirror/commands";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Compartment, type EditorState, type Text } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";

import { api, ApiError } from "../api/client";
import type { ImportErrorCollection } from "../api/types";
import { editorTheme, mountEditor } from "../code/editorSetup";
import { CloseIcon } from "../components/Icons";
import { useDocumentTheme } from "../components/theme";
import { useTitle } from "../components/useTitle";
import { useLiveEvents } from "../live/LiveProvider";
import type { LiveEvent } from "../live/liveEvents";
import { DeleteDialog, DiscardDialog, NameDialog } from "./EntryDialogs";
import { entryKey, FileTree, type TreeSelection } from "./FileTree";
import { ideApi, ideKeys, type IdeRoot } from "./ideApi";
import { ideEditorState, setErrorMarker } from "./ideEditor";
import { emptySession, ideSession, within, type DiskVersion, type IdeAction } from "./ideSession";
import {
  baseName,
  errorMessage,
  joinPath,
  languageOf,
  markerFor,
  openParamFor,
  parseOpenParam,
  sameProject,
  type ErrorMarker,
} from "./watcherOutcome";
import "./ide.css";

type Dialog =
  | { kind: "new-file" | "new-folder"; root: number; folder: string }
  | { kind: "rename"; root: number; path: string; type: TreeSelection["type"] }
  | { kind: "delete"; root: number; path: string; folder: boolean }
  | { kind: "discard"; key: string };

// How long a save waits for a word from the watcher before saying none came.
const watcherQuietMs = 20_000;

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

export default function IdePage() {
  useTitle("IDE");
  const queryClient = useQueryClient();
  const theme = useDocumentTheme();
  const [searchParams, setSearchParams] = useSearchParams();
  const roots = useQuery({ queryKey: ideKeys.roots, queryFn: ideApi.roots, staleTime: Infinity });

  // The session, and a copy that is current between renders (async work
  // reads it after its awaits).
  const [session, setSession] = useState(emptySession);
  const sessionRef = useRef(session);
  const dispatch = useCallback((action: IdeAction) => {
    sessionRef.current = ideSession(sessionRef.current, action);
    setSession(sessionRef.current);
  }, []);
  const { files, activeKey } = session;
  const setActiveKey = useCallback((key: string | null) => dispatch({ type: "shown", key }), [dispatch]);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<TreeSelection | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [pageError, setPageError] = useState<string | null>(null);

  const rootsRef = useRef<IdeRoot[]>([]);
  rootsRef.current = roots.data?.roots ?? [];
  const themeRef = useRef(theme);
  themeRef.current = theme;
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const shownKeyRef = useRef<string | null>(null);
  // Editor states of the tabs not on screen.
  const statesRef = useRef(new Map<string, EditorState>());
  const themeCompartment = useRef(new Compartment());
  const saveRef = useRef<(key: string) => void>(() => {});
  const opening = useRef(new Set<string>());
  const saving = useRef(new Set<string>());
  // What an editor state's save key and change listener call it by; a
  // rename moves the file to a new key.
  const handles = useRef(new Map<string, { key: string }>());

  const stateOf = useCallback((key: string): EditorState | undefined => {
    if (key === shownKeyRef.current && viewRef.current) return viewRef.current.state;
    return statesRef.current.get(key);
  }, []);

  const showMarker = useCallback((key: string, marker: ErrorMarker | null) => {
    if (key === shownKeyRef.current && viewRef.current) {
      viewRef.current.dispatch({ effects: setErrorMarker.of(marker) });
      return;
    }
    const state = statesRef.current.get(key);
    if (state) statesRef.current.set(key, state.update({ effects: setErrorMarker.of(marker) }).state);
  }, []);

  const absolutePath = useCallback((f: { root: number; path: string }) => {
    const root = rootsRef.current.find((r) => r.index === f.root);
    return root ? joinPath(root.path, f.path) : null;
  }, []);

  // --- what the watcher says -------------------------------------------

  const applyImportError = useCallback(
    (filename: string, trace: string, cleared: boolean) => {
      for (const f of sessionRef.current.files) {
        const abs = absolutePath(f);
        if (!abs || !sameProject(filename, abs)) continue;
        if (cleared) {
          showMarker(f.key, null);
          dispatch({ type: "imports-cleanly", key: f.key });
          continue;
        }
        const marker = markerFor(trace, abs);
        showMarker(f.key, marker);
        dispatch({
          type: "import-error",
          key: f.key,
          text: marker
            ? `✗ Parse error on line ${marker.line}: ${marker.message}`
            : `✗ ${baseName(filename)} does not import: ${errorMessage(trace)}`,
          detail: trace,
        });
      }
    },
    [absolutePath, showMarker, dispatch],
  );

  useLiveEvents((event: LiveEvent) => {
    if (event.type === "import_error") {
      applyImportError(event.filename, event.stack_trace, event.cleared);
    } else if (event.type === "dag_version" && event.fileloc) {
      for (const f of sessionRef.current.files) {
        const abs = absolutePath(f);
        if (!abs || !sameProject(event.fileloc, abs)) continue;
        showMarker(f.key, null);
        dispatch({ type: "registered", key: f.key, dag_id: event.dag_id, version_number: event.version_number });
      }
    }
  });

  // A file opened while its project fails to import shows the error at once.
  const showKnownImportError = useCallback(
    async (key: string) => {
      const f = sessionRef.current.files.find((x) => x.key === key);
      const abs = f && absolutePath(f);
      if (!abs) return;
      try {
        const errors = await api.get<ImportErrorCollection>("/api/v2/importErrors", { limit: 100 });
        const found = errors.import_errors.find((e) => sameProject(e.filename, abs));
        if (found) applyImportError(found.filename, found.stack_trace, false);
      } catch {
        // The file is open either way; the live channel will say more.
      }
    },
    [absolutePath, applyImportError],
  );

  // --- the editor view -------------------------------------------------

  const onDocChanged = useCallback((key: string, state: EditorState) => {
    const f = sessionRef.current.files.find((x) => x.key === key);
    if (!f) return;
    const dirty = !state.doc.eq(f.saved);
    if (dirty !== f.dirty) dispatch({ type: "edited", key, dirty });
  }, [dispatch]);

  // Shows the active tab's state in the one editor view.
  useEffect(() => {
    const previous = shownKeyRef.current;
    const view = viewRef.current;
    if (previous && previous !== activeKey && view && sessionRef.current.files.some((f) => f.key === previous))
      statesRef.current.set(previous, view.state);
    shownKeyRef.current = activeKey;
    if (!activeKey) {
      view?.destroy();
      viewRef.current = null;
      return;
    }
    const state = statesRef.current.get(activeKey);
    if (!state || !hostRef.current) return;
    statesRef.current.delete(activeKey);
    if (view) {
      view.setState(state);
    } else {
      const created = mountEditor(hostRef.current, state);
      // The element holding the editor in the shadow root fills the pane.
      const holder = created.dom.parentElement;
      if (holder) Object.assign(holder.style, { flex: "1", minWidth: "0", display: "flex" });
      viewRef.current = created;
    }
    viewRef.current!.dispatch({ effects: themeCompartment.current.reconfigure(editorTheme(themeRef.current)) });
    viewRef.current!.focus();
  }, [activeKey]);

  useEffect(() => {
    viewRef.current?.dispatch({ effects: themeCompartment.current.reconfigure(editorTheme(theme)) });
  }, [theme]);

  useEffect(() => () => viewRef.current?.destroy(), []);

  // --- opening, saving, closing ----------------------------------------

  const openFile = useCallback(
    async (root: number, path: string) => {
      const key = entryKey(root, path);
      setPageError(null);
      if (sessionRef.current.files.some((f) => f.key === key)) {
        setActiveKey(key);
        return;
      }
      if (opening.current.has(key)) return;
      opening.current.add(key);
      try {
        const file = await ideApi.read(root, path);
        if (sessionRef.current.files.some((f) => f.key === key)) {
          setActiveKey(key);
          return;
        }
        const handle = { key };
        handles.current.set(key, handle);
        const state = ideEditorState({
          fileName: path,
          content: file.content,
          theme: themeRef.current,
          themeCompartment: themeCompartment.current,
          onSave: () => saveRef.current(handle.key),
          onChange: (s) => onDocChanged(handle.key, s),
        });
        statesRef.current.set(key, state);
        dispatch({ type: "opened", key, root, path, etag: file.etag, doc: state.doc });
        void showKnownImportError(key);
      } catch (e) {
        setPageError(`Cannot open ${path}: ${(e as Error).message}`);
      } finally {
        opening.current.delete(key);
      }
    },
    [dispatch, onDocChanged, setActiveKey, showKnownImportError],
  );

  const save = useCallback(
    async (key: string, overwrite?: { etag: string | null }) => {
      const f = sessionRef.current.files.find((x) => x.key === key);
      const state = stateOf(key);
      if (!f || !state || saving.current.has(key)) return;
      saving.current.add(key);
      const doc = state.doc;
      dispatch({ type: "save-started", key });
      try {
        const etag = overwrite ? overwrite.etag : f.etag;
        const result = await ideApi.save(f.root, f.path, doc.toString(), etag, overwrite !== undefined && etag === null);
        dispatch({
          type: "saved",
          key,
          etag: result.etag,
          doc,
          dirty: !(stateOf(key)?.doc.eq(doc) ?? true),
          unchanged: result.unchanged === true,
          at: new Date().toLocaleTimeString(),
        });
        if (!result.unchanged) window.setTimeout(() => dispatch({ type: "watcher-quiet", key }), watcherQuietMs);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          let disk: DiskVersion | null = null;
          try {
            const now = await ideApi.read(f.root, f.path);
            disk = { content: now.content, etag: now.etag };
          } catch {
            disk = null;
          }
          dispatch({ type: "save-refused", key, disk, gone: false });
        } else if (e instanceof ApiError && e.status === 404) {
          dispatch({ type: "save-refused", key, disk: null, gone: true });
        } else {
          dispatch({ type: "save-failed", key, message: (e as Error).message });
        }
      } finally {
        saving.current.delete(key);
      }
    },
    [dispatch, stateOf],
  );
  saveRef.current = (key: string) => void save(key);

  // The file on disk replaces the editor's text (undo brings the edits back).
  const reloadFromDisk = useCallback(
    (key: string) => {
      const f = sessionRef.current.files.find((x) => x.key === key);
      const disk = f?.conflict?.disk;
      const state = stateOf(key);
      if (!f || !disk || !state) return;
      // Its own undo step: undo gives back exactly the editor's text.
      const change = {
        changes: { from: 0, to: state.doc.length, insert: disk.content },
        annotations: isolateHistory.of("full"),
      };
      let doc: Text;
      if (key === shownKeyRef.current && viewRef.current) {
        viewRef.current.dispatch(change);
        doc = viewRef.current.state.doc;
      } else {
        const next = state.update(change).state;
        statesRef.current.set(key, next);
        doc = next.doc;
      }
      dispatch({ type: "reloaded", key, etag: disk.etag, doc });
    },
    [dispatch, stateOf],
  );

  const overwrite = useCallback(
    async (key: string) => {
      const f = sessionRef.current.files.find((x) => x.key === key);
      if (!f?.conflict) return;
      if (f.conflict.disk) {
        await save(key, { etag: f.conflict.disk.etag });
        return;
      }
      // Gone from disk: create it again with the editor's text.
      const state = stateOf(key);
      if (!state) return;
      try {
        const created = await ideApi.createFile(f.root, f.path, state.doc.toString());
        dispatch({ type: "recreated", key, etag: created.etag, doc: state.doc });
        void queryClient.invalidateQueries({ queryKey: ideKeys.folder(f.root, folderOf(f.path)) });
      } catch (e) {
        dispatch({ type: "save-failed", key, message: (e as Error).message });
      }
    },
    [dispatch, queryClient, save, stateOf],
  );

  const closeTab = useCallback((key: string, force = false) => {
    const f = sessionRef.current.files.find((x) => x.key === key);
    if (!f) return;
    if (f.dirty && !force) {
      setDialog({ kind: "discard", key });
      return;
    }
    statesRef.current.delete(key);
    handles.current.delete(key);
    // The view shows another tab next: nothing of this one is kept.
    if (shownKeyRef.current === key) shownKeyRef.current = null;
    dispatch({ type: "closed", key });
  }, [dispatch]);

  // --- tree operations ---------------------------------------------------

  const refreshFolder = useCallback(
    (root: number, folder: string) => queryClient.invalidateQueries({ queryKey: ideKeys.folder(root, folder) }),
    [queryClient],
  );

  const toggleFolder = useCallback((root: number, path: string) => {
    setExpanded((set) => {
      const next = new Set(set);
      const key = entryKey(root, path);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  // Opens the folders on the way to `path` (and `path` itself when asked).
  const expandTo = useCallback((root: number, path: string, self = false) => {
    setExpanded((set) => {
      const next = new Set(set);
      next.add(entryKey(root, ""));
      const parts = path.split("/");
      for (let i = 1; i <= parts.length - (self ? 0 : 1); i++) next.add(entryKey(root, parts.slice(0, i).join("/")));
      return next;
    });
  }, []);

  // Where "new file" goes: the selected folder, the selected file's folder,
  // else the first root.
  const targetFolder = (): { root: number; folder: string } => {
    if (selected) return { root: selected.root, folder: selected.type === "folder" ? selected.path : folderOf(selected.path) };
    return { root: rootsRef.current[0]?.index ?? 0, folder: "" };
  };

  const renameOpenTabs = (root: number, from: string, to: string) => {
    // The editor states and save handles follow the tabs to their new keys.
    for (const f of sessionRef.current.files) {
      if (f.root !== root || !within(f.path, from)) continue;
      const key = entryKey(root, to + f.path.slice(from.length));
      const state = statesRef.current.get(f.key);
      if (state) {
        statesRef.current.delete(f.key);
        statesRef.current.set(key, state);
      }
      const handle = handles.current.get(f.key);
      if (handle) {
        handles.current.delete(f.key);
        handle.key = key;
        handles.current.set(key, handle);
      }
      if (shownKeyRef.current === f.key) shownKeyRef.current = key;
    }
    dispatch({ type: "renamed", root, from, to, keyOf: entryKey });
  };

  const closeTabsUnder = (root: number, path: string) => {
    for (const f of sessionRef.current.files) if (f.root === root && within(f.path, path)) closeTab(f.key, true);
  };

  // --- page-wide keys, deep links, leaving with unsaved changes -----------

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // The editor's own Ctrl/⌘-S has handled (and prevented) it already.
      if (e.defaultPrevented) return;
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        const key = shownKeyRef.current;
        if (key) saveRef.current(key);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const anyDirty = files.some((f) => f.dirty);
  useEffect(() => {
    if (!anyDirty) return;
    const onLeave = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", onLeave);
    return () => window.removeEventListener("beforeunload", onLeave);
  }, [anyDirty]);

  // The roots start expanded.
  const rootList = roots.data?.roots;
  useEffect(() => {
    if (!rootList) return;
    setExpanded((set) => {
      const next = new Set(set);
      for (const r of rootList) next.add(entryKey(r.index, ""));
      return next;
    });
  }, [rootList]);

  const openParam = searchParams.get("open");
  useEffect(() => {
    if (!rootList || !openParam) return;
    const target = parseOpenParam(openParam, rootList);
    if (!target) {
      setPageError(`${openParam} is not in a watched folder`);
      return;
    }
    if (entryKey(target.root, target.path) === shownKeyRef.current) return;
    expandTo(target.root, target.path);
    setSelected({ root: target.root, path: target.path, type: "file" });
    void openFile(target.root, target.path);
    // Only a changed link opens a file (opening a file updates the link).
  }, [rootList, openParam]);

  const active = files.find((f) => f.key === activeKey) ?? null;
  useEffect(() => {
    if (!active || !rootList) return;
    const root = rootList.find((r) => r.index === active.root);
    if (!root) return;
    const wanted = openParamFor(root, active.path);
    if (searchParams.get("open") !== wanted) setSearchParams({ open: wanted }, { replace: true });
  }, [active, rootList, searchParams, setSearchParams]);

  const dirtyKeys = useMemo(() => new Set(files.filter((f) => f.dirty).map((f) => f.key)), [files]);

  // --- rendering -----------------------------------------------------------

  if (roots.error) return <div className="banner-error" role="alert">{(roots.error as Error).message}</div>;

  const selectedIsRoot = selected !== null && selected.path === "";
  const canAct = selected !== null && !selectedIsRoot;

  return (
    <div className="ide" data-testid="ide">
      <aside className="ide-side" aria-label="Files">
        <div className="ide-side-head">
          <h1>Files</h1>
          <div className="ide-actions">
            <button type="button" className="btn small" onClick={() => setDialog({ kind: "new-file", ...targetFolder() })}>
              New file
            </button>
            <button type="button" className="btn small" onClick={() => setDialog({ kind: "new-folder", ...targetFolder() })}>
              New folder
            </button>
            <button
              type="button"
              className="btn small"
              disabled={!canAct}
              onClick={() => selected && setDialog({ kind: "rename", root: selected.root, path: selected.path, type: selected.type })}
            >
              Rename
            </button>
            <button
              type="button"
              className="btn small danger"
              disabled={!canAct}
              onClick={() =>
                selected && setDialog({ kind: "delete", root: selected.root, path: selected.path, folder: selected.type === "folder" })
              }
            >
              Delete
            </button>
            <button
              type="button"
              className="btn small"
              title="List the folders again"
              onClick={() => void queryClient.invalidateQueries({ queryKey: ["ide", "tree"] })}
            >
              Refresh
            </button>
          </div>
        </div>
        {roots.data ? (
          <FileTree
            roots={roots.data.roots}
            expanded={expanded}
            selected={selected}
            openKey={activeKey}
            dirtyKeys={dirtyKeys}
            onToggle={toggleFolder}
            onSelect={setSelected}
            onOpen={(root, path) => void openFile(root, path)}
          />
        ) : (
          <p className="muted">Loading the folders…</p>
        )}
      </aside>

      <section className="ide-main" aria-label="Editor">
        <div className="ide-tabs" role="tablist" aria-label="Open files">
          {files.map((f) => (
            <div key={f.key} className={`ide-tab${f.key === activeKey ? " active" : ""}`} data-testid={`tab-${f.path}`}>
              <button
                type="button"
                role="tab"
                aria-selected={f.key === activeKey}
                className="ide-tab-name"
                title={`${rootsRef.current.find((r) => r.index === f.root)?.name ?? ""}/${f.path}`}
                onClick={() => setActiveKey(f.key)}
              >
                {baseName(f.path)}
                {f.dirty ? (
                  <span className="dirty-dot" data-testid="dirty-marker" aria-label="unsaved changes" title="Unsaved changes" />
                ) : null}
              </button>
              <button type="button" className="icon-btn" aria-label={`Close ${baseName(f.path)}`} onClick={() => closeTab(f.key)}>
                <CloseIcon />
              </button>
            </div>
          ))}
          {active ? (
            <div className="ide-file-actions">
              <span className="muted">{languageLabel(active.path)}</span>
              <button
                type="button"
                className="btn small primary"
                disabled={active.saving}
                title="Save (Ctrl/⌘-S)"
                onClick={() => void save(active.key)}
              >
                Save
              </button>
            </div>
          ) : null}
        </div>

        {pageError ? (
          <div className="banner-error ide-banner" role="alert">
            {pageError}
          </div>
        ) : null}

        {active?.conflict ? (
          <div className="notice ide-banner" role="alert" data-testid="ide-conflict">
            <span className="grow">
              {active.conflict.disk
                ? `${baseName(active.path)} changed on disk since you opened it. Reload it (your edits can be brought back with undo) or overwrite it with yours?`
                : `${baseName(active.path)} is no longer on disk.`}
            </span>
            {active.conflict.disk ? (
              <button type="button" className="btn small" onClick={() => reloadFromDisk(active.key)}>
                Reload from disk
              </button>
            ) : null}
            <button type="button" className="btn small danger" onClick={() => void overwrite(active.key)}>
              {active.conflict.disk ? "Overwrite" : "Save it again"}
            </button>
          </div>
        ) : null}

        <div className="ide-editor" ref={hostRef} hidden={!active} data-testid="ide-editor" />
        {!active ? (
          <div className="ide-empty">
            <p>Open a file from the tree on the left.</p>
            <p className="muted">
              Ctrl/⌘-S saves; the watcher's answer — a new version or the parse error at its line — shows here.
            </p>
          </div>
        ) : null}

        {active ? (
          <footer className="ide-status">
            <span className="ide-outcome" data-testid="ide-outcome" data-kind={active.outcome?.kind ?? "none"} role="status" title={active.outcome?.detail}>
              {active.outcome?.text ?? (active.dirty ? "Unsaved changes" : "No changes")}
            </span>
            <span className="muted mono ide-path">{active.path}</span>
          </footer>
        ) : null}
      </section>

      {dialog?.kind === "new-file" || dialog?.kind === "new-folder" ? (
        <NameDialog
          title={dialog.kind === "new-file" ? "New file" : "New folder"}
          label="Name (a path like sub/dag.py works too)"
          initial=""
          confirmLabel="Create"
          where={`In ${rootsRef.current.find((r) => r.index === dialog.root)?.name ?? ""}${dialog.folder ? `/${dialog.folder}` : ""}`}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            const path = dialog.folder ? `${dialog.folder}/${name}` : name;
            if (dialog.kind === "new-file") {
              const created = await ideApi.createFile(dialog.root, path, "");
              await refreshFolder(dialog.root, folderOf(created.path));
              expandTo(dialog.root, created.path);
              setSelected({ root: dialog.root, path: created.path, type: "file" });
              void openFile(dialog.root, created.path);
            } else {
              const created = await ideApi.createFolder(dialog.root, path);
              await refreshFolder(dialog.root, folderOf(created.path));
              expandTo(dialog.root, created.path, true);
              setSelected({ root: dialog.root, path: created.path, type: "folder" });
            }
          }}
        />
      ) : null}

      {dialog?.kind === "rename" ? (
        <NameDialog
          title={`Rename ${baseName(dialog.path)}`}
          label="New path"
          initial={dialog.path}
          confirmLabel="Rename"
          allowReplace={dialog.type !== "folder"}
          onClose={() => setDialog(null)}
          onSubmit={async (newPath, replace) => {
            const moved = await ideApi.rename(dialog.root, dialog.path, newPath, replace);
            await Promise.all([refreshFolder(dialog.root, folderOf(dialog.path)), refreshFolder(dialog.root, folderOf(moved.path))]);
            renameOpenTabs(dialog.root, dialog.path, moved.path);
            expandTo(dialog.root, moved.path);
            setSelected({ root: dialog.root, path: moved.path, type: dialog.type });
          }}
        />
      ) : null}

      {dialog?.kind === "delete" ? (
        <DeleteDialog
          what={dialog.path}
          folder={dialog.folder}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            if (dialog.folder) await ideApi.removeFolder(dialog.root, dialog.path);
            else await ideApi.removeFile(dialog.root, dialog.path);
            closeTabsUnder(dialog.root, dialog.path);
            setSelected(null);
            await refreshFolder(dialog.root, folderOf(dialog.path));
          }}
        />
      ) : null}

      {dialog?.kind === "discard" ? (
        <DiscardDialog
          what={baseName(files.find((f) => f.key === dialog.key)?.path ?? "")}
          onClose={() => setDialog(null)}
          onConfirm={() => closeTab(dialog.key, true)}
        />
      ) : null}
    </div>
  );
}

function languageLabel(path: string): string {
  const language = languageOf(path);
  return language === "python" ? "Python" : language === "yaml" ? "YAML" : "Plain text";
}
