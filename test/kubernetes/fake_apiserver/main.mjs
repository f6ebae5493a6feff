// Starts the fake Kubernetes API server and kubelet:
//   node main.mjs --state-dir DIR [--port 0] [--images FILE] [...]
// Writes DIR/kubeconfig and DIR/ready.json once listening; exits on SIGTERM.
import { mkdirSync, renameSync, writeFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Api } from "./lib/api.mjs";
import { Authenticator } from "./lib/auth.mjs";
import { Control } from "./lib/control.mjs";
import { Controllers } from "./lib/controllers.mjs";
import { ImageRegistry } from "./lib/images.mjs";
import { Kubelet, NODE_NAME } from "./lib/kubelet.mjs";
import { LogStore } from "./lib/logs.mjs";
import { ClusterPki } from "./lib/pki.mjs";
import { Registry } from "./lib/registry.mjs";
import { probeMode } from "./lib/sandbox.mjs";
import { FakeApiServer } from "./lib/server.mjs";
import { Store } from "./lib/store.mjs";

const usage = `usage: node main.mjs --state-dir DIR [--port N] [--http-port N] [--images FILE]
  [--namespace NS]... [--history N] [--backoff-ms N] [--backoff-max-ms N]
  [--bookmark-ms N] [--max-pod-name N] [--path-mode auto|mount|rewrite]`;

const { values: opt } = parseArgs({
  options: {
    "state-dir": { type: "string" },
    port: { type: "string", default: "0" },
    "http-port": { type: "string" },
    images: { type: "string" },
    namespace: { type: "string", multiple: true, default: [] },
    history: { type: "string", default: "1000" },
    "backoff-ms": { type: "string", default: "1000" },
    "backoff-max-ms": { type: "string", default: "10000" },
    "bookmark-ms": { type: "string", default: "1000" },
    "max-pod-name": { type: "string", default: "63" },
    "path-mode": { type: "string", default: "auto" },
    help: { type: "boolean" },
  },
});
if (opt.help || !opt["state-dir"]) {
  process.stderr.write(`${usage}\n`);
  process.exit(opt.help ? 0 : 2);
}

const log = (msg) => process.stderr.write(`[fake-apiserver ${new Date().toISOString()}] ${msg}\n`);
const stateDir = resolve(opt["state-dir"]);
for (const d of ["pki", "volumes", "pods", "logs"]) mkdirSync(join(stateDir, d), { recursive: true });

// Block-style YAML, as kubeconfig files usually are; every value is a plain
// string, so double-quoting them is enough.
function kubeconfigYaml({ server, caData, token, certData, keyData }) {
  const s = (v) => JSON.stringify(v);
  return [
    "apiVersion: v1",
    "kind: Config",
    "preferences: {}",
    "clusters:",
    "- name: fake",
    "  cluster:",
    `    server: ${s(server)}`,
    `    certificate-authority-data: ${s(caData)}`,
    "users:",
    "- name: fake-admin",
    "  user:",
    `    token: ${s(token)}`,
    "- name: fake-cert",
    "  user:",
    `    client-certificate-data: ${s(certData)}`,
    `    client-key-data: ${s(keyData)}`,
    "contexts:",
    "- name: fake",
    "  context:",
    "    cluster: fake",
    "    user: fake-admin",
    "    namespace: default",
    "- name: fake-cert",
    "  context:",
    "    cluster: fake",
    "    user: fake-cert",
    "    namespace: default",
    "current-context: fake",
    "",
  ].join("\n");
}

function writeAtomically(path, text) {
  writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

async function main() {
  const pki = new ClusterPki(join(stateDir, "pki"));
  const caPem = readFileSync(pki.caFile, "utf8");
  const auth = new Authenticator();
  const store = new Store({ historyLimit: Number(opt.history) });
  const registry = new Registry({ store, maxPodName: Number(opt["max-pod-name"]) });
  const controllers = new Controllers({ store, registry, caPem, volumesDir: join(stateDir, "volumes"), log });
  for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", ...opt.namespace]) controllers.createNamespace(ns);
  const images = new ImageRegistry({ file: opt.images && resolve(opt.images) });
  const logs = new LogStore(join(stateDir, "logs"));
  let mode;
  if (opt["path-mode"] === "auto") {
    const probe = await probeMode(join(stateDir, "pods"));
    mode = probe.mode;
    log(`path mode: ${probe.mode} (${probe.reason})`);
  } else if (["mount", "rewrite"].includes(opt["path-mode"])) {
    mode = opt["path-mode"];
    log(`path mode: ${mode} (asked for)`);
  } else throw new Error(`--path-mode must be auto, mount or rewrite, not ${opt["path-mode"]}`);

  const apiAddress = { host: "127.0.0.1", port: 0 };
  const kubelet = new Kubelet({
    store, registry, controllers, images, logs, mode,
    podsDir: join(stateDir, "pods"),
    backoffMs: Number(opt["backoff-ms"]),
    backoffMaxMs: Number(opt["backoff-max-ms"]),
    api: apiAddress,
    tokens: auth,
    log,
  });
  const api = new Api({ store, registry, kubelet, logs, bookmarkMs: Number(opt["bookmark-ms"]), serverAddress: () => `127.0.0.1:${apiAddress.port}` });
  const control = new Control({ registry, kubelet, images, auth, pki });
  const server = new FakeApiServer({
    tls: { key: pki.read(pki.server.key), cert: pki.read(pki.server.cert), ca: caPem },
    port: Number(opt.port),
    httpPort: opt["http-port"] === undefined ? undefined : Number(opt["http-port"]),
    api, control, auth, store, log,
  });
  await server.start();
  apiAddress.port = server.port;
  kubelet.start();

  const url = `https://127.0.0.1:${server.port}`;
  const client = pki.clientCert("leoflow-client", ["system:masters"]);
  const b64 = (p) => readFileSync(p).toString("base64");
  const kubeconfig = join(stateDir, "kubeconfig");
  writeAtomically(kubeconfig, kubeconfigYaml({
    server: url, caData: Buffer.from(caPem).toString("base64"), token: auth.adminToken, certData: b64(client.cert), keyData: b64(client.key),
  }));
  const ready = {
    url,
    port: server.port,
    http_url: server.http ? `http://127.0.0.1:${server.httpPort}` : null,
    token: auth.adminToken,
    ca_file: pki.caFile,
    client_cert_file: client.cert,
    client_key_file: client.key,
    kubeconfig,
    node_name: NODE_NAME,
    path_mode: mode,
    state_dir: stateDir,
    pid: process.pid,
  };
  writeAtomically(join(stateDir, "ready.json"), `${JSON.stringify(ready, null, 2)}\n`);
  log(`listening on ${url} (state in ${stateDir})`);

  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal}: stopping pod processes`);
    server.close();
    await kubelet.shutdown();
    process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

// A bug in the fake must not take the cluster down mid-test: say so loudly
// and keep serving.
process.on("uncaughtException", (e) => log(`BUG (uncaught): ${e.stack ?? e}`));

main().catch((e) => {
  log(`failed to start: ${e.stack ?? e}`);
  process.exit(1);
});
