// What each container instance wrote to stdout and stderr, line by line with
// nanosecond timestamps (kept in memory and in a CRI-format file), and
// followers woken as lines arrive, for the pods/{name}/log API.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const startNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

// RFC 3339 with nine fractional digits, as the kubelet writes them.
export function nanoTimestamp() {
  const ns = startNs + process.hrtime.bigint();
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString(); // ...ss.mmmZ
  return `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, "0")}Z`;
}

// Parses an RFC 3339 time into nanoseconds since the epoch (for sinceTime).
export function parseTimeNs(text) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return undefined;
  return BigInt(base) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

export class ContainerLog {
  constructor(file) {
    this.file = file;
    this.lines = []; // { ts, ns, stream, text }
    this.partial = { stdout: "", stderr: "" };
    this.ended = false;
    this.followers = new Set();
    mkdirSync(dirname(file), { recursive: true });
  }

  push(stream, text) {
    const ts = nanoTimestamp();
    const line = { ts, ns: parseTimeNs(ts), stream, text };
    this.lines.push(line);
    appendFileSync(this.file, `${ts} ${stream} F ${text}\n`);
    for (const f of this.followers) f(line);
  }

  append(stream, chunk) {
    const parts = (this.partial[stream] + chunk.toString("utf8")).split("\n");
    this.partial[stream] = parts.pop();
    for (const p of parts) this.push(stream, `${p}\n`);
  }

  // The container stopped: a last line without a newline is still a line.
  end() {
    if (this.ended) return;
    for (const stream of ["stdout", "stderr"]) {
      if (this.partial[stream]) this.push(stream, this.partial[stream]);
      this.partial[stream] = "";
    }
    this.ended = true;
    for (const f of this.followers) f(null);
  }

  // Calls `fn(line)` for each new line and `fn(null)` at the end.
  follow(fn) {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }

  tailText(maxLines, maxBytes) {
    const text = this.lines.slice(-maxLines).map((l) => l.text).join("");
    return text.length > maxBytes ? text.slice(text.length - maxBytes) : text;
  }
}

// Container instances per pod: key `${uid}/${container}` -> [instance 0, 1, ...].
export class LogStore {
  constructor(dir) {
    this.dir = dir;
    this.byContainer = new Map();
  }

  open(pod, container, restartCount) {
    const key = `${pod.metadata.uid}/${container}`;
    const file = `${this.dir}/${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}/${container}/${restartCount}.log`;
    const log = new ContainerLog(file);
    if (!this.byContainer.has(key)) this.byContainer.set(key, []);
    this.byContainer.get(key).push(log);
    return log;
  }

  instances(uid, container) {
    return this.byContainer.get(`${uid}/${container}`) ?? [];
  }

  forget(uid) {
    for (const key of this.byContainer.keys()) if (key.startsWith(`${uid}/`)) this.byContainer.delete(key);
  }
}
