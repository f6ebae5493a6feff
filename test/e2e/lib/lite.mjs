// Runs a real `leoflow lite` for the browser tests: a temporary LEOFLOW_HOME,
// DAG projects the test writes itself, port 0 (the server prints the port it
// got), and polling with a deadline instead of sleeping.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "..", "..", "..");
export const leoflowBinary = process.env.LEOFLOW_BIN ?? join(repoRoot, "build", "bin", "leoflow");

// Calls `probe` until it returns something truthy (returned) or the deadline
// passes (throws with `message` and the last value or error).
export async function waitFor(probe, { timeout = 20_000, interval = 100, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Writes (or rewrites) `<root>/<project>/dag.py`.
export function writeDag(root, project, source) {
  const dir = join(root, project);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "dag.py"), source);
  return join(dir, "dag.py");
}

export class Lite {
  constructor(proc, base, home, ownHome) {
    this.proc = proc;
    this.base = base;
    this.home = home;
    this.ownHome = ownHome;
  }

  // Starts the server on `folders`; resolves once it listens.
  static async start({ folders, home, env = {}, args = [] }) {
    const ownHome = !home;
    const leoflowHome = home ?? tempDir("leoflow-e2e-home-");
    const proc = spawn(leoflowBinary, ["lite", ...folders, "--port", "0", ...args], {
      env: { ...process.env, LEOFLOW_HOME: leoflowHome, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines = [];
    const collect = (chunk) => lines.push(...chunk.toString().split("\n").filter(Boolean));
    proc.stdout.on("data", collect);
    proc.stderr.on("data", collect);
    const lite = new Lite(proc, null, leoflowHome, ownHome);
    lite.lines = lines;
    const exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
    lite.exited = exited;
    const line = await Promise.race([
      waitFor(() => lines.find((l) => /listening on http:\/\//.test(l)), { timeout: 30_000, message: "the server to listen" }),
      exited.then((code) => {
        throw new Error(`leoflow lite exited with ${code} before listening:\n${lines.join("\n")}`);
      }),
    ]);
    lite.base = line.match(/listening on (http:\/\/[^ ]+)/)[1];
    return lite;
  }

  url(path) {
    return this.base + path;
  }

  output() {
    return this.lines.join("\n");
  }

  async fetchJson(path, init = {}) {
    const response = await fetch(this.url(path), init);
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: response.status, headers: response.headers, body };
  }

  async stop() {
    if (this.proc.exitCode === null) {
      this.proc.kill("SIGTERM");
      const timer = setTimeout(() => this.proc.kill("SIGKILL"), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.ownHome) rmSync(this.home, { recursive: true, force: true });
  }
}
