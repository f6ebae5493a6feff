// The IDE's session reducer: tabs opening, showing and closing, dirty flags,
// saves and their conflicts, the watcher's answers, renames.
import { Text } from "@codemirror/state";
import { describe, expect, it } from "vitest";

import { emptySession, ideSession, type IdeAction, type IdeSession } from "./ideSession";

const doc = (text: string) => Text.of(text.split("\n"));
const keyOf = (root: number, path: string) => `${root}:${path}`;
const run = (actions: IdeAction[], from: IdeSession = emptySession) => actions.reduce(ideSession, from);
const open = (path: string, root = 0): IdeAction => ({
  type: "opened",
  key: keyOf(root, path),
  root,
  path,
  etag: `etag-${path}`,
  doc: doc(`# ${path}`),
});
const file = (s: IdeSession, path: string) => s.files.find((f) => f.path === path)!;

describe("tabs", () => {
  it("opens a file once and shows it", () => {
    const s = run([open("a/dag.py"), open("b/dag.py"), open("a/dag.py")]);
    expect(s.files.map((f) => f.path)).toEqual(["a/dag.py", "b/dag.py"]);
    expect(s.activeKey).toBe("0:a/dag.py");
    expect(file(s, "a/dag.py")).toMatchObject({ dirty: false, saving: false, outcome: null, conflict: null });
  });

  it("closing the shown tab shows its right neighbour, else the left one", () => {
    let s = run([open("a.py"), open("b.py"), open("c.py"), { type: "shown", key: "0:b.py" }, { type: "closed", key: "0:b.py" }]);
    expect(s.activeKey).toBe("0:c.py");
    s = ideSession(s, { type: "closed", key: "0:c.py" });
    expect(s.activeKey).toBe("0:a.py");
    s = ideSession(s, { type: "closed", key: "0:a.py" });
    expect(s).toEqual({ files: [], activeKey: null });
  });

  it("closing another tab keeps the shown one", () => {
    const s = run([open("a.py"), open("b.py"), { type: "closed", key: "0:a.py" }]);
    expect(s.activeKey).toBe("0:b.py");
    expect(s.files).toHaveLength(1);
  });

  it("a rename moves the tabs under it, and the shown one with them", () => {
    const s = run([
      open("proj/dag.py"),
      open("proj/lib/util.py"),
      open("project2/dag.py"),
      { type: "shown", key: "0:proj/lib/util.py" },
      { type: "renamed", root: 0, from: "proj", to: "moved", keyOf },
    ]);
    expect(s.files.map((f) => f.key)).toEqual(["0:moved/dag.py", "0:moved/lib/util.py", "0:project2/dag.py"]);
    expect(s.activeKey).toBe("0:moved/lib/util.py");
  });

  it("actions about a file that is not open change nothing", () => {
    const s = run([open("a.py")]);
    expect(ideSession(s, { type: "edited", key: "0:gone.py", dirty: true })).toBe(s);
    expect(ideSession(s, { type: "closed", key: "0:gone.py" })).toBe(s);
  });
});

describe("saving", () => {
  it("a save waits for the watcher, which answers with the version", () => {
    const edited = doc("# edited");
    let s = run([open("a/dag.py"), { type: "edited", key: "0:a/dag.py", dirty: true }, { type: "save-started", key: "0:a/dag.py" }]);
    expect(file(s, "a/dag.py")).toMatchObject({ dirty: true, saving: true, outcome: { kind: "saving" } });
    s = ideSession(s, { type: "saved", key: "0:a/dag.py", etag: "e2", doc: edited, dirty: false, unchanged: false, at: "10:00:00" });
    expect(file(s, "a/dag.py")).toMatchObject({
      etag: "e2",
      dirty: false,
      saving: false,
      outcome: { kind: "waiting", text: "Saved at 10:00:00 · waiting for the watcher…" },
    });
    expect(file(s, "a/dag.py").saved).toBe(edited);
    s = ideSession(s, { type: "registered", key: "0:a/dag.py", dag_id: "a", version_number: 3 });
    expect(file(s, "a/dag.py").outcome).toEqual({ kind: "registered", text: "✓ a: registered version 3" });
    // The quiet timer fires later: the watcher's word stands.
    s = ideSession(s, { type: "watcher-quiet", key: "0:a/dag.py" });
    expect(file(s, "a/dag.py").outcome?.kind).toBe("registered");
  });

  it("the watcher's answer before the save's response is kept", () => {
    const s = run([
      open("a/dag.py"),
      { type: "save-started", key: "0:a/dag.py" },
      { type: "import-error", key: "0:a/dag.py", text: "✗ Parse error on line 4: invalid syntax", detail: "trace" },
      { type: "saved", key: "0:a/dag.py", etag: "e2", doc: doc("x"), dirty: false, unchanged: false, at: "t" },
    ]);
    expect(file(s, "a/dag.py").outcome).toEqual({ kind: "error", text: "✗ Parse error on line 4: invalid syntax", detail: "trace" });
  });

  it("no word from the watcher says so; an unchanged save says it at once", () => {
    let s = run([
      open("notes.txt"),
      { type: "save-started", key: "0:notes.txt" },
      { type: "saved", key: "0:notes.txt", etag: "e", doc: doc("n"), dirty: false, unchanged: false, at: "t" },
      { type: "watcher-quiet", key: "0:notes.txt" },
    ]);
    expect(file(s, "notes.txt").outcome?.text).toMatch(/no new DAG version/);
    s = run([{ type: "save-started", key: "0:notes.txt" }, { type: "saved", key: "0:notes.txt", etag: "e", doc: doc("n"), dirty: false, unchanged: true, at: "t" }], s);
    expect(file(s, "notes.txt").outcome?.text).toBe("Saved · the file on disk already had this content");
  });

  it("a refused save holds the conflict until a reload or an overwrite", () => {
    const disk = { content: "# theirs", etag: "theirs" };
    let s = run([
      open("a/dag.py"),
      { type: "edited", key: "0:a/dag.py", dirty: true },
      { type: "save-started", key: "0:a/dag.py" },
      { type: "save-refused", key: "0:a/dag.py", disk, gone: false },
    ]);
    expect(file(s, "a/dag.py")).toMatchObject({ saving: false, dirty: true, conflict: { disk }, outcome: { kind: "conflict" } });
    const reloaded = doc("# theirs");
    s = ideSession(s, { type: "reloaded", key: "0:a/dag.py", etag: "theirs", doc: reloaded });
    expect(file(s, "a/dag.py")).toMatchObject({ etag: "theirs", dirty: false, conflict: null, outcome: { kind: "info" } });

    s = run([{ type: "save-started", key: "0:a/dag.py" }, { type: "save-refused", key: "0:a/dag.py", disk: null, gone: true }], s);
    expect(file(s, "a/dag.py").conflict).toEqual({ disk: null });
    expect(file(s, "a/dag.py").outcome?.text).toMatch(/no longer on disk/);
    s = ideSession(s, { type: "recreated", key: "0:a/dag.py", etag: "new", doc: reloaded });
    expect(file(s, "a/dag.py")).toMatchObject({ etag: "new", conflict: null, outcome: { kind: "waiting" } });
  });

  it("a failed save says why", () => {
    const s = run([open("a.py"), { type: "save-started", key: "0:a.py" }, { type: "save-failed", key: "0:a.py", message: "disk full" }]);
    expect(file(s, "a.py")).toMatchObject({ saving: false, outcome: { kind: "failed", text: "Not saved: disk full" } });
  });

  it("an import that clears replaces an error or a wait, nothing else", () => {
    let s = run([open("a.py"), { type: "import-error", key: "0:a.py", text: "✗", detail: "" }, { type: "imports-cleanly", key: "0:a.py" }]);
    expect(file(s, "a.py").outcome).toEqual({ kind: "saved", text: "✓ Imports cleanly" });
    s = run([{ type: "registered", key: "0:a.py", dag_id: "a", version_number: 1 }, { type: "imports-cleanly", key: "0:a.py" }], s);
    expect(file(s, "a.py").outcome?.kind).toBe("registered");
  });
});
