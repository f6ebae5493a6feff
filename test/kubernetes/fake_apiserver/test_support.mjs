// Helpers for the fake's own tests: start it as a real subprocess on port 0,
// talk HTTPS to it verifying the cluster CA, stream watches and logs, and
// poll with a deadline (never sleep).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export async function waitFor(probe, { timeout = 20_000, interval = 50, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${last?.stack ?? JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Temporary folders the tests make go when the test process exits.
const made = [];
process.on("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export class Fake {
  static async start({ args = [], dir = tempDir("k8sfake-") } = {}) {
    const proc = spawn(process.execPath, [join(here, "main.mjs"), "--state-dir", dir, "--port", "0", "--backoff-ms", "100", "--backoff-max-ms", "1000", "--bookmark-ms", "200", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise((r) => proc.once("exit", (code) => {
      // A crash of the fake shows its own log in the test output.
      if (code !== 0) process.stderr.write(`fake apiserver exited ${code}:\n${stderr}\n`);
      r(code);
    }));
    await waitFor(() => {
      if (proc.exitCode !== null) throw new Error(`fake exited ${proc.exitCode}: ${stderr}`);
      return existsSync(join(dir, "ready.json"));
    }, { message: "ready.json" });
    const fake = new Fake(proc, dir, JSON.parse(readFileSync(join(dir, "ready.json"), "utf8")), exited);
    fake.stderr = () => stderr;
    return fake;
  }

  constructor(proc, dir, ready, exited) {
    Object.assign(this, { proc, dir, ready, exited });
    this.ca = readFileSync(ready.ca_file);
  }

  // One request; resolves { status, headers, body } (JSON parsed when it is).
  request(method, path, { body, contentType = "application/json", token = this.ready.token, cert, headers = {} } = {}) {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = httpsRequest({
        host: "127.0.0.1",
        port: this.ready.port,
        method,
        path,
        ca: this.ca,
        cert: cert?.cert,
        key: cert?.key,
        agent: false,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(text !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) } : {}),
          ...headers,
        },
      }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString();
          let parsed = raw;
          if ((res.headers["content-type"] ?? "").includes("json")) parsed = JSON.parse(raw);
          resolve({ status: res.statusCode, headers: res.headers, body: parsed });
        });
      });
      req.on("error", reject);
      if (text !== undefined) req.write(text);
      req.end();
    });
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body, opts) {
    return this.request("POST", path, { body, ...opts });
  }

  async control(path, body = {}) {
    const r = await this.request("POST", `/_fake/${path}`, { body });
    if (r.status >= 300) throw new Error(`control ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  // A streaming GET: `lines` fills as newline-terminated chunks arrive.
  stream(path, { token = this.ready.token } = {}) {
    const s = { lines: [], text: "", ended: false, status: undefined };
    s.done = new Promise((resolve) => {
      const req = httpsRequest({ host: "127.0.0.1", port: this.ready.port, path, ca: this.ca, agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        s.status = res.statusCode;
        res.on("data", (c) => {
          s.text += c;
          const parts = s.text.split("\n");
          s.text = parts.pop();
          s.lines.push(...parts);
        });
        const end = () => {
          s.ended = true;
          resolve();
        };
        res.on("end", end);
        res.on("close", end);
        res.on("error", end);
      });
      req.on("error", () => {
        s.ended = true;
        resolve();
      });
      req.end();
      s.abort = () => req.destroy();
    });
    return s;
  }

  watch(path) {
    const s = this.stream(path);
    s.events = () => s.lines.map((l) => JSON.parse(l));
    return s;
  }

  async pod(name, namespace = "default") {
    const r = await this.get(`/api/v1/namespaces/${namespace}/pods/${name}`);
    return r.status === 200 ? r.body : undefined;
  }

  async waitPhase(name, phases, { namespace = "default", timeout = 20_000 } = {}) {
    const want = [phases].flat();
    return waitFor(async () => {
      const p = await this.pod(name, namespace);
      return p && want.includes(p.status?.phase) ? p : false;
    }, { timeout, message: `pod ${name} in ${want.join("/")}` });
  }

  async createPod(spec, { name, namespace = "default", labels } = {}) {
    const r = await this.post(`/api/v1/namespaces/${namespace}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels },
      spec,
    });
    if (r.status !== 201) throw new Error(`create pod ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async stop() {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
    const code = await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
    return code;
  }
}

// A pod spec running `python3 -c source` in container `task`.
export function pythonPod(source, extra = {}) {
  const { container = {}, ...spec } = extra;
  return {
    restartPolicy: "Never",
    containers: [{ name: "task", image: "python:3.11", command: ["python3", "-c", source], ...container }],
    ...spec,
  };
}
