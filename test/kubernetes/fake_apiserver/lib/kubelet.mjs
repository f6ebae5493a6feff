// The fake scheduler and kubelet of node `fake-node`: binds pods, pulls
// images from the fake registry, runs each container as a local process with
// the pod's env, volumes and working directory, reports status the way a
// kubelet does, and carries out injected faults.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseLabelSelector } from "./selectors.mjs";
import { launch, signalGroup } from "./sandbox.mjs";
import { now } from "./registry.mjs";

export const NODE_NAME = "fake-node";
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const nodeLabels = {
  "kubernetes.io/hostname": NODE_NAME,
  "kubernetes.io/os": "linux",
  "kubernetes.io/arch": process.arch === "x64" ? "amd64" : process.arch,
  "node-role.kubernetes.io/control-plane": "true",
};

class ConfigError extends Error {}

// $(VAR) references expand to earlier variables; $$ is a literal $.
export function expandVars(text, env) {
  return String(text).replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name) => {
    if (m === "$$") return "$";
    return Object.hasOwn(env, name) ? env[name] : m;
  });
}

function fieldValue(pod, path) {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return pod.metadata[m[1]]?.[m[2]] ?? "";
  const simple = {
    "metadata.name": pod.metadata.name,
    "metadata.namespace": pod.metadata.namespace,
    "metadata.uid": pod.metadata.uid,
    "spec.nodeName": pod.spec.nodeName,
    "spec.serviceAccountName": pod.spec.serviceAccountName,
    "status.hostIP": "127.0.0.1",
    "status.podIP": "127.0.0.1",
  };
  if (path === "metadata.labels" || path === "metadata.annotations") {
    const map = pod.metadata[path.split(".")[1]] ?? {};
    return Object.entries(map).sort().map(([k, v]) => `${k}="${v}"`).join("\n");
  }
  if (path in simple) return simple[path] ?? "";
  throw new ConfigError(`unsupported fieldPath ${path}`);
}

const containerId = () => `containerd://${randomBytes(32).toString("hex")}`;

// One container of a pod: its spec and the status the kubelet reports.
class Container {
  constructor(spec, init) {
    this.spec = spec;
    this.init = init;
    this.name = spec.name;
    this.restartCount = 0;
    this.state = { waiting: { reason: "ContainerCreating" } };
    this.lastState = {};
    this.ready = false;
    this.started = false;
    this.imageID = "";
    this.containerID = undefined;
    this.child = undefined;
    this.everRan = false;
  }

  status() {
    const s = {
      name: this.name,
      image: this.spec.image,
      imageID: this.imageID,
      ready: this.ready,
      restartCount: this.restartCount,
      started: this.started,
      state: this.state,
      lastState: this.lastState,
    };
    if (this.containerID) s.containerID = this.containerID;
    return s;
  }

  done() {
    return !!this.state.terminated;
  }
}

class PodWorker {
  constructor(kubelet, pod) {
    this.k = kubelet;
    this.uid = pod.metadata.uid;
    this.ns = pod.metadata.namespace;
    this.name = pod.metadata.name;
    this.pod = pod;
    this.scratch = join(kubelet.podsDir, this.uid);
    this.init = (pod.spec.initContainers ?? []).map((c) => new Container(c, true));
    this.main = pod.spec.containers.map((c) => new Container(c, false));
    this.stopping = undefined; // { reason, message, grace, deletion }
    this.wakers = new Set();
    this.phaseOverride = undefined;
    this.finished = false;
    this.volumes = undefined;
    this.timers = new Set();
    this.detached = false; // the node is lost: no more status reports
  }

  current() {
    return this.k.store.get("pods", this.ns, this.name);
  }

  // Resolves after `ms` or when woken (a stop, a new Secret, a fault).
  pause(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  wake() {
    for (const w of [...this.wakers]) w();
  }

  backoff(n) {
    return Math.min(this.k.backoffMs * 2 ** Math.max(0, n - 1), this.k.backoffMaxMs);
  }

  phase() {
    if (this.phaseOverride) return this.phaseOverride;
    const policy = this.pod.spec.restartPolicy;
    if (this.init.some((c) => c.done() && c.state.terminated.exitCode !== 0) && policy === "Never") return "Failed";
    if (!this.init.every((c) => c.done() && c.state.terminated.exitCode === 0)) return "Pending";
    const running = this.main.filter((c) => c.state.running || (c.state.waiting && c.everRan)).length;
    const done = this.main.filter((c) => c.done());
    if (done.length === this.main.length) {
      if (done.every((c) => c.state.terminated.exitCode === 0)) return "Succeeded";
      return policy === "Always" && !this.stopping ? "Running" : "Failed";
    }
    if (running > 0 || done.length > 0) return "Running";
    return "Pending";
  }

  // Writes the pod's status from the containers' state.
  publish() {
    if (this.detached) return;
    const phase = this.phase();
    const terminal = phase === "Succeeded" || phase === "Failed";
    const initDone = this.init.every((c) => c.done() && c.state.terminated.exitCode === 0);
    const unready = this.main.filter((c) => !c.ready).map((c) => c.name);
    const cond = (type, ok, reason, message) => ({ type, status: ok ? "True" : "False", ...(reason && !ok ? { reason, message } : {}), ...(reason === "PodCompleted" ? { reason } : {}) });
    const conditions = [
      cond("PodReadyToStartContainers", !terminal || this.main.some((c) => c.state.running)),
      terminal ? { type: "Initialized", status: "True", reason: "PodCompleted" }
        : cond("Initialized", initDone, "ContainersNotInitialized", `containers with incomplete status: [${this.init.filter((c) => !c.done()).map((c) => c.name).join(" ")}]`),
      terminal ? { type: "Ready", status: "False", reason: "PodCompleted" } : cond("Ready", unready.length === 0, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`),
      terminal ? { type: "ContainersReady", status: "False", reason: "PodCompleted" } : cond("ContainersReady", unready.length === 0, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`),
      { type: "PodScheduled", status: "True" },
    ];
    this.k.registry.updateStatus("pods", this.ns, this.name, this.uid, (p) => {
      const old = new Map((p.status.conditions ?? []).map((c) => [c.type, c]));
      const stamp = now();
      p.status.phase = phase;
      p.status.conditions = conditions.map((c) => {
        const prev = old.get(c.type);
        const same = prev && prev.status === c.status;
        return { ...c, lastProbeTime: null, lastTransitionTime: same ? prev.lastTransitionTime : stamp };
      });
      p.status.hostIP = "127.0.0.1";
      p.status.hostIPs = [{ ip: "127.0.0.1" }];
      p.status.podIP = "127.0.0.1";
      p.status.podIPs = [{ ip: "127.0.0.1" }];
      p.status.startTime ??= stamp;
      if (this.init.length) p.status.initContainerStatuses = this.init.map((c) => c.status());
      p.status.containerStatuses = this.main.map((c) => c.status());
      if (this.stopping?.reason && terminal) {
        p.status.reason = this.stopping.reason;
        p.status.message = this.stopping.message;
      }
    });
  }

  // Volume name -> local folder, made once per pod. Throws ConfigError while
  // something it needs (a Secret, a claim) is missing.
  prepareVolumes() {
    if (this.volumes) return this.volumes;
    const out = {};
    for (const v of this.pod.spec.volumes ?? []) {
      const dir = join(this.scratch, "volumes", v.name);
      if (v.persistentVolumeClaim) {
        const path = this.k.controllers.bindClaim(this.ns, v.persistentVolumeClaim.claimName);
        if (!path) throw new ConfigError(`persistentvolumeclaim "${v.persistentVolumeClaim.claimName}" not found`);
        out[v.name] = { path, readOnly: !!v.persistentVolumeClaim.readOnly };
      } else if (v.emptyDir) {
        mkdirSync(dir, { recursive: true });
        out[v.name] = { path: dir };
      } else if (v.hostPath) {
        if (v.hostPath.type === "DirectoryOrCreate") mkdirSync(v.hostPath.path, { recursive: true });
        out[v.name] = { path: v.hostPath.path };
      } else if (v.secret || v.configMap) {
        const src = v.secret ?? v.configMap;
        const resource = v.secret ? "secrets" : "configmaps";
        const name = v.secret ? src.secretName : src.name;
        const obj = this.k.store.get(resource, this.ns, name);
        if (!obj && !src.optional) throw new ConfigError(`MountVolume.SetUp failed for volume "${v.name}" : ${resource.slice(0, -1)} "${name}" not found`);
        const files = this.k.keyValues(obj, !!v.secret);
        this.writeFiles(dir, files, src.items, src.defaultMode ?? 420);
        out[v.name] = { path: dir, readOnly: true };
      } else if (v.projected || v.downwardAPI) {
        const files = {};
        const sources = v.projected ? v.projected.sources : [{ downwardAPI: v.downwardAPI }];
        for (const s of sources) {
          if (s.serviceAccountToken) files[s.serviceAccountToken.path] = this.k.serviceAccountToken(this.ns, this.pod.spec.serviceAccountName);
          for (const [kind, ref] of [["configmaps", s.configMap], ["secrets", s.secret]]) {
            if (!ref) continue;
            const obj = this.k.store.get(kind, this.ns, ref.name);
            if (!obj && !ref.optional) throw new ConfigError(`MountVolume.SetUp failed for volume "${v.name}" : ${kind.slice(0, -1)} "${ref.name}" not found`);
            const kv = this.k.keyValues(obj, kind === "secrets");
            for (const [k, val] of Object.entries(kv)) {
              const item = ref.items?.find((i) => i.key === k);
              if (!ref.items || item) files[item?.path ?? k] = val;
            }
          }
          for (const item of s.downwardAPI?.items ?? []) files[item.path] = fieldValue(this.pod, item.fieldRef?.fieldPath ?? "");
        }
        this.writeFiles(dir, files, undefined, v.projected?.defaultMode ?? v.downwardAPI?.defaultMode ?? 420);
        out[v.name] = { path: dir, readOnly: true };
      } else {
        throw new ConfigError(`MountVolume.SetUp failed for volume "${v.name}" : the fake kubelet supports persistentVolumeClaim, emptyDir, hostPath, secret, configMap, projected and downwardAPI volumes`);
      }
    }
    this.volumes = out;
    return out;
  }

  writeFiles(dir, files, items, mode) {
    mkdirSync(dir, { recursive: true });
    const chosen = items ? items.map((i) => [i.path, files[i.key], i.mode]) : Object.entries(files).map(([k, v]) => [k, v, undefined]);
    for (const [path, value, m] of chosen) {
      if (value === undefined) continue;
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, value);
      chmodSync(file, m ?? mode);
    }
  }

  // The container's environment, in the kubelet's order: image, the
  // kubernetes service, envFrom, then env with $(VAR) expansion.
  buildEnv(c, image) {
    const env = { PATH: defaultPath, ...image.env, HOSTNAME: this.pod.spec.hostname ?? this.name, ...this.k.serviceEnv() };
    for (const from of c.spec.envFrom ?? []) {
      const ref = from.secretRef ?? from.configMapRef;
      const resource = from.secretRef ? "secrets" : "configmaps";
      const obj = this.k.store.get(resource, this.ns, ref.name);
      if (!obj) {
        if (ref.optional) continue;
        throw new ConfigError(`${resource.slice(0, -1)} "${ref.name}" not found`);
      }
      for (const [k, v] of Object.entries(this.k.keyValues(obj, resource === "secrets"))) env[(from.prefix ?? "") + k] = v.toString();
    }
    for (const e of c.spec.env ?? []) {
      if (!e.valueFrom) {
        env[e.name] = expandVars(e.value ?? "", env);
        continue;
      }
      const ref = e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef;
      if (ref) {
        const resource = e.valueFrom.secretKeyRef ? "secrets" : "configmaps";
        const kindName = resource === "secrets" ? "Secret" : "ConfigMap";
        const obj = this.k.store.get(resource, this.ns, ref.name);
        const kv = obj ? this.k.keyValues(obj, resource === "secrets") : undefined;
        if (!obj || kv[ref.key] === undefined) {
          if (ref.optional) continue;
          throw new ConfigError(obj ? `couldn't find key ${ref.key} in ${kindName} ${this.ns}/${ref.name}` : `${resource.slice(0, -1)} "${ref.name}" not found`);
        }
        env[e.name] = kv[ref.key].toString();
      } else if (e.valueFrom.fieldRef) {
        env[e.name] = fieldValue(this.pod, e.valueFrom.fieldRef.fieldPath);
      } else if (e.valueFrom.resourceFieldRef) {
        const r = e.valueFrom.resourceFieldRef;
        const [part, res] = r.resource.split(".");
        env[e.name] = String(c.spec.resources?.[part]?.[res] ?? "");
      }
    }
    return env;
  }

  mountsFor(c, image, volumes, termFile) {
    const mounts = Object.entries(image.path_map).map(([containerPath, hostPath]) => ({ containerPath, hostPath }));
    for (const m of c.spec.volumeMounts ?? []) {
      const vol = volumes[m.name];
      let hostPath = vol.path;
      if (m.subPath) {
        hostPath = join(vol.path, m.subPath);
        if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
      }
      mounts.push({ containerPath: m.mountPath, hostPath, readOnly: !!(m.readOnly || vol.readOnly), isFile: statSync(hostPath).isFile() });
    }
    mounts.push({ containerPath: c.spec.terminationMessagePath ?? "/dev/termination-log", hostPath: termFile, isFile: true });
    return mounts;
  }

  // One container's life: pull, configure, start, wait, restart per policy.
  async runContainer(c) {
    const policy = c.init && this.pod.spec.restartPolicy === "Always" ? "OnFailure" : this.pod.spec.restartPolicy;
    let pullFailures = 0;
    for (;;) {
      if (this.stopping) return;
      const pulled = this.k.images.pull(c.spec.image);
      if (!pulled.entry) {
        pullFailures++;
        c.state = { waiting: { reason: "ErrImagePull", message: pulled.message } };
        this.publish();
        await this.pause(this.k.backoffMs);
        if (this.stopping) return;
        c.state = { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.spec.image}": ${pulled.message}` } };
        this.publish();
        await this.pause(this.backoff(pullFailures));
        continue;
      }
      c.imageID = pulled.imageID;
      let env;
      let volumes;
      try {
        volumes = this.prepareVolumes();
        env = this.buildEnv(c, pulled.entry);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const mountFailure = e.message.startsWith("MountVolume") || e.message.startsWith("persistentvolumeclaim");
        c.state = { waiting: mountFailure ? { reason: "ContainerCreating" } : { reason: "CreateContainerConfigError", message: e.message } };
        this.configProblem = e.message;
        this.publish();
        await this.pause(this.k.backoffMaxMs);
        continue;
      }
      this.configProblem = undefined;
      const entry = pulled.entry;
      const command = (c.spec.command ?? entry.entrypoint).map((a) => expandVars(a, env));
      const args = (c.spec.args ?? (c.spec.command ? [] : entry.cmd)).map((a) => expandVars(a, env));
      const argv = [...command, ...args];
      const instance = join(this.scratch, "containers", c.name, String(c.restartCount));
      mkdirSync(instance, { recursive: true });
      const termFile = join(instance, "termination-log");
      writeFileSync(termFile, "");
      const log = this.k.logs.open(this.pod, c.name, c.restartCount);
      c.log = log;
      c.containerID = containerId();
      const startedAt = now();
      let result;
      const crash = this.k.crashRuleFor(this.current() ?? this.pod);
      if (crash) {
        log.append("stderr", Buffer.from(`fake kubelet: injected crash (exit ${crash.exitCode})\n`));
        c.everRan = true;
        result = { started: { ok: true }, exit: { code: crash.exitCode, signal: null } };
      } else if (argv.length === 0) {
        result = { started: { ok: false, message: "no command specified" } };
      } else {
        const run = launch({
          mode: this.k.mode,
          argv,
          env,
          workingDir: c.spec.workingDir || entry.workingDir || "/",
          mounts: this.mountsFor(c, entry, volumes, termFile),
          scratch: join(instance, "fs"),
          onOutput: (stream, data) => log.append(stream, data),
        });
        c.child = run.child;
        const started = await run.started;
        if (started.ok) {
          c.state = { running: { startedAt } };
          c.started = true;
          c.everRan = true;
          c.ready = !c.init;
          this.publish();
          if (this.stopping) signalGroup(run.child, "SIGTERM");
        }
        result = { started, exit: await run.exited };
        c.child = undefined;
      }
      log.end();
      c.ready = false;
      c.started = false;
      const finishedAt = now();
      if (!result.started.ok) {
        c.state = { terminated: { exitCode: 128, reason: "StartError", message: result.started.message, startedAt: "1970-01-01T00:00:00Z", finishedAt, containerID: c.containerID } };
      } else {
        const { code, signal } = result.exit;
        const signals = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
        const exitCode = signal ? 128 + (signals[signal] ?? 9) : code;
        const t = { exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt, finishedAt, containerID: c.containerID };
        if (this.stopping?.oomKill) t.reason = "OOMKilled";
        let message = readFileSync(termFile, "utf8").slice(0, 4096);
        if (!message && exitCode !== 0 && c.spec.terminationMessagePolicy === "FallbackToLogsOnError") message = log.tailText(80, 2048);
        if (message) t.message = message;
        c.state = { terminated: t };
      }
      const code = c.state.terminated.exitCode;
      const restart = !this.stopping && (policy === "Always" || (policy === "OnFailure" && code !== 0));
      if (!restart) {
        this.publish();
        return;
      }
      c.lastState = c.state;
      c.restartCount++;
      const delay = this.backoff(c.restartCount);
      c.state = { waiting: { reason: "CrashLoopBackOff", message: `back-off ${Math.round(delay / 100) / 10}s restarting failed container=${c.name} pod=${this.name}_${this.ns}(${this.uid})` } };
      this.publish();
      await this.pause(delay);
    }
  }

  async run() {
    this.publish();
    const deadline = this.pod.spec.activeDeadlineSeconds;
    if (deadline) {
      const t = setTimeout(() => this.stop({ reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline", grace: this.pod.spec.terminationGracePeriodSeconds ?? 30 }), deadline * 1000);
      this.timers.add(t);
    }
    for (const c of this.init) {
      await this.runContainer(c);
      if (this.stopping || c.state.terminated?.exitCode !== 0) break;
    }
    if (!this.stopping && this.init.every((c) => c.state.terminated?.exitCode === 0)) {
      await Promise.all(this.main.map((c) => this.runContainer(c)));
    }
    this.finish();
  }

  // Every container has stopped for good.
  finish() {
    for (const t of this.timers) clearTimeout(t);
    for (const c of [...this.init, ...this.main]) {
      c.log?.end();
      if (!c.done() && this.stopping && !this.detached) {
        c.state = { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", message: "The container could not be located when the pod was terminated", startedAt: null, finishedAt: now() } };
      }
    }
    if (this.stopping?.reason) this.phaseOverride = "Failed";
    this.publish();
    this.finished = true;
    if (this.detached) return;
    if (this.stopping?.deletion || this.current()?.metadata.deletionTimestamp) this.k.finishDeletion(this);
  }

  // Stops every container: SIGTERM, then SIGKILL after the grace period.
  stop({ reason, message, grace, deletion = false, oomKill = false }) {
    if (this.stopping) {
      if (deletion) this.stopping.deletion = true;
      if (grace < this.stopping.grace) this.killAfter(grace);
      if (this.finished && deletion) this.k.finishDeletion(this);
      return;
    }
    this.stopping = { reason, message, grace, deletion, oomKill };
    for (const c of [...this.init, ...this.main]) if (c.child) signalGroup(c.child, grace === 0 ? "SIGKILL" : "SIGTERM");
    this.killAfter(grace);
    this.wake();
    if (this.finished) {
      if (deletion) this.k.finishDeletion(this);
      else if (reason) {
        this.phaseOverride = "Failed";
        this.publish();
      }
    }
  }

  killAfter(grace) {
    this.stopping.grace = grace;
    const t = setTimeout(() => {
      for (const c of [...this.init, ...this.main]) if (c.child) signalGroup(c.child, "SIGKILL");
    }, grace * 1000);
    this.timers.add(t);
  }

  // The node went away: processes die with it and nothing more is reported.
  detach() {
    this.detached = true;
    this.stopping ??= { grace: 0 };
    for (const c of [...this.init, ...this.main]) if (c.child) signalGroup(c.child, "SIGKILL");
    this.wake();
  }

  cleanup() {
    for (const t of this.timers) clearTimeout(t);
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

export class Kubelet {
  constructor({ store, registry, controllers, images, logs, mode, podsDir, backoffMs, backoffMaxMs, api, tokens, log }) {
    Object.assign(this, { store, registry, controllers, images, logs, mode, podsDir, backoffMs, backoffMaxMs, api, tokens, log });
    this.workers = new Map(); // uid -> PodWorker
    this.nodeLost = false;
    this.crashRules = [];
    registry.onPodDeletion = (pod, grace) => this.onDeletion(pod, grace);
    store.on("change", (e) => this.onChange(e));
  }

  start() {
    this.writeNode();
    for (const pod of this.store.list("pods")) this.schedule(pod);
  }

  writeNode() {
    const ready = !this.nodeLost;
    const existing = this.store.get("nodes", undefined, NODE_NAME);
    const stamp = now();
    const node = existing ?? { apiVersion: "v1", kind: "Node", metadata: { name: NODE_NAME, uid: randomBytes(16).toString("hex"), creationTimestamp: stamp, labels: nodeLabels } };
    node.spec = ready ? {} : { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: stamp }, { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: stamp }] };
    node.status = {
      conditions: [ready
        ? { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: stamp, lastTransitionTime: stamp }
        : { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: stamp, lastTransitionTime: stamp }],
      addresses: [{ type: "InternalIP", address: "127.0.0.1" }, { type: "Hostname", address: NODE_NAME }],
      nodeInfo: { kubeletVersion: "v1.34.0-fake", containerRuntimeVersion: `fake://${this.mode}`, operatingSystem: "linux", architecture: nodeLabels["kubernetes.io/arch"] },
      capacity: { cpu: "2", memory: "24Gi", pods: "110" },
      allocatable: { cpu: "2", memory: "24Gi", pods: "110" },
    };
    if (existing) this.store.update("nodes", node);
    else this.store.create("nodes", node);
  }

  serviceEnv() {
    const { host, port } = this.api;
    return {
      KUBERNETES_SERVICE_HOST: host,
      KUBERNETES_SERVICE_PORT: String(port),
      KUBERNETES_SERVICE_PORT_HTTPS: String(port),
      KUBERNETES_PORT: `tcp://${host}:${port}`,
      [`KUBERNETES_PORT_${port}_TCP`]: `tcp://${host}:${port}`,
      [`KUBERNETES_PORT_${port}_TCP_PROTO`]: "tcp",
      [`KUBERNETES_PORT_${port}_TCP_PORT`]: String(port),
      [`KUBERNETES_PORT_${port}_TCP_ADDR`]: host,
    };
  }

  serviceAccountToken(namespace, name) {
    return this.tokens.forServiceAccount(namespace, name);
  }

  // A Secret's or ConfigMap's keys as bytes.
  keyValues(obj, isSecret) {
    if (!obj) return {};
    if (isSecret) return Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")]));
    return {
      ...Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
      ...Object.fromEntries(Object.entries(obj.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")])),
    };
  }

  onChange(e) {
    if (e.resource === "pods" && e.type === "ADDED") this.schedule(e.object);
    if (["persistentvolumeclaims", "secrets", "configmaps"].includes(e.resource)) {
      if (e.resource === "persistentvolumeclaims" && e.type === "ADDED") this.retryUnscheduled();
      for (const w of this.workers.values()) if (w.configProblem) w.wake();
    }
  }

  retryUnscheduled() {
    for (const pod of this.store.list("pods")) if (!pod.spec.nodeName && !pod.metadata.deletionTimestamp) this.schedule(pod);
  }

  // Why the pod cannot go on the node, or undefined when it can.
  unschedulable(pod) {
    if (this.nodeLost) return "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) {
      if (nodeLabels[k] !== v) return "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    }
    for (const v of pod.spec.volumes ?? []) {
      if (!v.persistentVolumeClaim) continue;
      const pvc = this.store.get("persistentvolumeclaims", pod.metadata.namespace, v.persistentVolumeClaim.claimName);
      if (!pvc) return `0/1 nodes are available: persistentvolumeclaim "${v.persistentVolumeClaim.claimName}" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
      if (pvc.metadata.deletionTimestamp) return `0/1 nodes are available: persistentvolumeclaim "${pvc.metadata.name}" is being deleted. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
    }
    return undefined;
  }

  schedule(pod) {
    if (this.workers.has(pod.metadata.uid)) return;
    if (pod.spec.nodeName && pod.spec.nodeName !== NODE_NAME) return;
    const { namespace, name, uid } = pod.metadata;
    if (!pod.spec.nodeName) {
      const why = this.unschedulable(pod);
      if (why) {
        this.registry.updateStatus("pods", namespace, name, uid, (p) => {
          const prev = (p.status.conditions ?? []).find((c) => c.type === "PodScheduled");
          p.status.conditions = [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: why, lastProbeTime: null, lastTransitionTime: prev?.lastTransitionTime ?? now() }];
        });
        return;
      }
      pod = this.registry.updateStatus("pods", namespace, name, uid, (p) => {
        p.spec.nodeName = NODE_NAME;
        p.status.conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now() }];
      });
      if (!pod) return;
    }
    const worker = new PodWorker(this, pod);
    this.workers.set(uid, worker);
    worker.run().catch((e) => this.log(`pod ${namespace}/${name}: kubelet error: ${e.stack}`));
  }

  onDeletion(pod, grace) {
    if (!pod) return;
    const worker = this.workers.get(pod.metadata.uid);
    if (this.nodeLost && worker?.detached) return; // nobody left to confirm it
    if (worker) worker.stop({ grace, deletion: true });
    else if (pod.metadata.deletionTimestamp && this.store.get("pods", pod.metadata.namespace, pod.metadata.name)) {
      this.registry.remove("pods", pod.metadata.namespace, pod.metadata.name);
    }
  }

  // The kubelet has stopped a deleted pod's containers: the object goes.
  finishDeletion(worker) {
    const pod = worker.current();
    if (pod && pod.metadata.uid === worker.uid) {
      if (!this.registry.podRemovable(pod)) return;
      this.registry.remove("pods", worker.ns, worker.name);
    }
    this.workers.delete(worker.uid);
    this.logs.forget(worker.uid);
    worker.cleanup();
  }

  // --- faults ---

  crashRuleFor(pod) {
    return this.crashRules.find((r) => r.matches(pod));
  }

  addCrashLoop({ namespace, name, labelSelector, exitCode = 1 }) {
    const labels = parseLabelSelector(labelSelector ?? "");
    const rule = {
      exitCode,
      matches: (p) => (!namespace || p.metadata.namespace === namespace) && (!name || p.metadata.name === name) && labels(p.metadata.labels ?? {}),
    };
    this.crashRules.push(rule);
    for (const w of this.workers.values()) {
      const pod = w.current();
      if (pod && rule.matches(pod)) for (const c of w.main) if (c.child) signalGroup(c.child, "SIGKILL");
    }
  }

  clearCrashLoops() {
    this.crashRules = [];
  }

  worker(namespace, name) {
    const pod = this.store.get("pods", namespace, name);
    return pod && this.workers.get(pod.metadata.uid);
  }

  evict(namespace, name, message) {
    const w = this.worker(namespace, name);
    if (!w) return false;
    w.stop({ reason: "Evicted", message: message ?? "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. ", grace: 0 });
    return true;
  }

  // The node stops reporting: its pods go Unknown (NodeLost), and after
  // `deleteAfterMs` the pod garbage collector removes them.
  loseNode(deleteAfterMs) {
    this.nodeLost = true;
    this.writeNode();
    const stamp = now();
    for (const w of this.workers.values()) {
      w.detach();
      this.registry.updateStatus("pods", w.ns, w.name, w.uid, (p) => {
        p.status.phase = "Unknown";
        p.status.reason = "NodeLost";
        p.status.message = `Node ${NODE_NAME} which was running pod ${w.name} is unresponsive`;
        p.status.conditions = (p.status.conditions ?? []).map((c) => (c.type === "Ready" ? { ...c, status: "False", reason: "NodeLost", lastTransitionTime: stamp } : c));
      });
    }
    const lost = [...this.workers.values()];
    setTimeout(() => {
      for (const w of lost) {
        if (this.store.get("pods", w.ns, w.name)?.metadata.uid === w.uid) this.registry.remove("pods", w.ns, w.name);
        this.workers.delete(w.uid);
        this.logs.forget(w.uid);
        w.cleanup();
      }
    }, deleteAfterMs);
  }

  restoreNode() {
    this.nodeLost = false;
    this.writeNode();
    this.retryUnscheduled();
  }

  // Kills every container for shutdown; resolves when all have exited.
  async shutdown() {
    const waits = [];
    for (const w of this.workers.values()) {
      w.detached = true;
      for (const c of [...w.init, ...w.main]) {
        if (!c.child) continue;
        signalGroup(c.child, "SIGKILL");
        waits.push(new Promise((r) => (c.child.exitCode !== null || c.child.signalCode !== null ? r() : c.child.once("close", r))));
      }
      w.stopping ??= { grace: 0 };
      w.wake();
    }
    await Promise.all(waits);
  }
}
