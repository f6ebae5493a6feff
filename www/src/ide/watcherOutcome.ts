// What the watcher did with a saved file, read from the live events: which
// open file an event is about (the watcher reports a project's DAG file, so
// a save of a helper module is answered for its whole project), and where a
// traceback puts the error in a given file. Pure functions, unit-tested.

// One `File "...", line N` frame of a Python traceback.
export interface TracebackFrame {
  file: string;
  line: number;
}

// A parse error placed in one file.
export interface ErrorMarker {
  line: number;
  message: string;
}

const frameRe = /File "([^"\n]+)", line (\d+)/g;

export function tracebackFrames(trace: string): TracebackFrame[] {
  const frames: TracebackFrame[] = [];
  for (const m of trace.matchAll(frameRe)) frames.push({ file: m[1], line: Number(m[2]) });
  return frames;
}

// The error's own line ("SyntaxError: invalid syntax"): the last line that
// is not blank, not a caret line, not a note Lite appends.
export function errorMessage(trace: string): string {
  const lines = trace.split("\n").map((l) => l.trimEnd());
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (!line || /^\^+$/.test(line) || /^[~^ ]+$/.test(line)) continue;
    if (line.startsWith("(") && line.endsWith(")")) continue;
    return line;
  }
  return "the file does not import";
}

// Where the traceback puts the error in `file`: its innermost frame there.
export function markerFor(trace: string, file: string): ErrorMarker | null {
  const frames = tracebackFrames(trace).filter((f) => f.file === file);
  if (!frames.length) return null;
  return { line: frames[frames.length - 1].line, message: errorMessage(trace) };
}

export function dirName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? (slash === 0 ? "/" : "") : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(folder: string, relative: string): string {
  if (!relative) return folder;
  return folder.endsWith("/") ? folder + relative : `${folder}/${relative}`;
}

// Whether an event about the DAG file `fileloc` answers a save of `file`:
// the same file, or a file in that project's folder.
export function sameProject(fileloc: string, file: string): boolean {
  if (fileloc === file) return true;
  const project = dirName(fileloc);
  return project !== "" && file.startsWith(project === "/" ? "/" : `${project}/`);
}

export type Language = "python" | "yaml" | "text";

export function languageOf(fileName: string): Language {
  const name = fileName.toLowerCase();
  if (name.endsWith(".py") || name.endsWith(".pyi")) return "python";
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return "yaml";
  return "text";
}

interface RootLike {
  index: number;
  name: string;
  path: string;
}

// `?open=` names a file as `<root name>/<path>`, as an absolute path under
// a root (what import errors show), or as a path in the first root.
export function parseOpenParam(open: string, roots: RootLike[]): { root: number; path: string } | null {
  const value = open.trim();
  if (!value || !roots.length) return null;
  if (value.startsWith("/")) {
    const owner = roots
      .filter((r) => value.startsWith(r.path.endsWith("/") ? r.path : `${r.path}/`))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (!owner) return null;
    return { root: owner.index, path: value.slice(owner.path.length).replace(/^\/+/, "") };
  }
  const slash = value.indexOf("/");
  const first = slash < 0 ? value : value.slice(0, slash);
  const named = roots.find((r) => r.name === first);
  if (named && slash > 0) return { root: named.index, path: value.slice(slash + 1) };
  return { root: roots[0].index, path: value };
}

export function openParamFor(root: RootLike, path: string): string {
  return `${root.name}/${path}`;
}
