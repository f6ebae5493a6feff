// The core/v1 REST API: discovery, list/watch/get/create/replace/patch/
// delete for every resource, and the pod subresources log, status and
// eviction. Handlers answer JSON (or a Table for kubectl) and throw ApiError.
import { parseTimeNs } from "./logs.mjs";
import { resources } from "./registry.mjs";
import { selectorFor } from "./selectors.mjs";
import { ApiError, badRequest, invalid, methodNotAllowed, successStatus } from "./status.mjs";
import { toTable } from "./tables.mjs";

const notFoundPath = () => new ApiError(404, "NotFound", "the server could not find the requested resource");

export const VERSION = {
  major: "1",
  minor: "34",
  gitVersion: "v1.34.0-leoflow-fake",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.24.0",
  compiler: "gc",
  platform: "linux/amd64",
};

function resourceList() {
  const verbs = { readOnly: ["get", "list", "watch"], all: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] };
  const list = [];
  for (const [name, r] of Object.entries(resources)) {
    list.push({ name, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: r.readOnly ? verbs.readOnly : r.kind === "Namespace" ? ["create", "get", "list", "watch"] : verbs.all, shortNames: r.shortNames.length ? r.shortNames : undefined });
  }
  list.push({ name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
  list.push({ name: "pods/status", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] });
  list.push({ name: "pods/eviction", singularName: "", namespaced: true, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] });
  return { kind: "APIResourceList", groupVersion: "v1", resources: list };
}

const wantsTable = (req) => /as=Table/.test(req.headers.accept ?? "");
const isTrue = (v) => v === "true" || v === "1";

export class Api {
  constructor({ store, registry, kubelet, logs, bookmarkMs, serverAddress }) {
    Object.assign(this, { store, registry, kubelet, logs, bookmarkMs, serverAddress });
    this.streams = new Set(); // open watch and log-follow responses
  }

  // Routes one authenticated request; `body` is the request text.
  async handle(req, res, url, body) {
    const segs = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const q = url.searchParams;
    if (segs[0] === "version" && segs.length === 1) return json(res, 200, VERSION);
    if (segs[0] === "api" && segs.length === 1) {
      return json(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: this.serverAddress() }] });
    }
    if (segs[0] === "apis" && segs.length === 1) return json(res, 200, { kind: "APIGroupList", apiVersion: "v1", groups: [] });
    if (segs[0] !== "api" || segs[1] !== "v1") throw notFoundPath();
    if (segs.length === 2) return json(res, 200, resourceList());
    let rest = segs.slice(2);
    let namespace;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, sub, ...extra] = rest;
    const info = resources[resource];
    if (!info || extra.length || (namespace && !info.namespaced) || (!namespace && info.namespaced && name)) throw notFoundPath();
    const method = req.method;
    const opts = { fieldValidation: q.get("fieldValidation") ?? "Strict", dryRun: q.getAll("dryRun").includes("All") };
    if (!["Strict", "Warn", "Ignore"].includes(opts.fieldValidation)) {
      throw badRequest(`fieldValidation parameter unsupported: ${opts.fieldValidation}`);
    }
    if (!name) {
      if (method === "GET") return isTrue(q.get("watch")) ? this.watch(req, res, resource, namespace, q) : this.list(req, res, resource, namespace, q);
      if (method === "POST") {
        if (!namespace && info.namespaced) throw methodNotAllowed();
        const { obj, warnings } = this.registry.create(resource, namespace, body, opts);
        return json(res, 201, obj, warnings);
      }
      if (method === "DELETE") return json(res, 200, this.registry.deleteCollection(resource, namespace, q, this.deleteOptions(body, q)));
      throw methodNotAllowed();
    }
    if (sub) return this.subresource(req, res, resource, namespace, name, sub, q, body);
    if (method === "GET") {
      const obj = this.registry.get(resource, namespace, name);
      return json(res, 200, wantsTable(req) ? toTable(resource, [obj], obj.metadata.resourceVersion) : obj);
    }
    if (method === "PUT") {
      const { obj, warnings } = this.registry.replace(resource, namespace, name, body, opts);
      return json(res, 200, obj, warnings);
    }
    if (method === "PATCH") {
      const { obj, warnings } = this.registry.patch(resource, namespace, name, req.headers["content-type"], body, opts);
      return json(res, 200, obj, warnings);
    }
    if (method === "DELETE") return json(res, 200, this.registry.delete(resource, namespace, name, this.deleteOptions(body, q)));
    throw methodNotAllowed();
  }

  // DeleteOptions from the body (checked against the schema) or the query.
  deleteOptions(body, q) {
    let opts = {};
    if (body && body.trim()) {
      const { obj, causes } = this.registry.decode("pods", body, { kindOverride: "DeleteOptions" });
      if (causes.length) throw invalid("DeleteOptions", "", causes);
      opts = obj;
    }
    if (q.has("gracePeriodSeconds")) opts.gracePeriodSeconds = Number(q.get("gracePeriodSeconds"));
    if (q.has("propagationPolicy")) opts.propagationPolicy = q.get("propagationPolicy");
    if (q.has("orphanDependents")) opts.orphanDependents = isTrue(q.get("orphanDependents"));
    if (q.has("dryRun")) opts.dryRun = q.getAll("dryRun");
    if (opts.gracePeriodSeconds !== undefined && !Number.isInteger(opts.gracePeriodSeconds)) {
      throw badRequest(`gracePeriodSeconds: Invalid value: "${q.get("gracePeriodSeconds")}": must be an integer`);
    }
    if (opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
    return opts;
  }

  list(req, res, resource, namespace, q) {
    const page = this.registry.list(resource, namespace, q);
    if (wantsTable(req)) {
      const table = toTable(resource, page.items, page.resourceVersion);
      if (page.continue) table.metadata.continue = page.continue;
      return json(res, 200, table);
    }
    const metadata = { resourceVersion: page.resourceVersion };
    if (page.continue) {
      metadata.continue = page.continue;
      metadata.remainingItemCount = page.remaining;
    }
    return json(res, 200, { kind: `${resources[resource].kind}List`, apiVersion: "v1", metadata, items: page.items });
  }

  // A watch: the history after resourceVersion (or the current objects as
  // ADDED), then live events as JSON lines; BOOKMARKs when asked; 410 Gone
  // as an ERROR event when the version was compacted.
  watch(req, res, resource, namespace, q) {
    const matches = selectorFor(resource, q);
    const inScope = (o) => o && (!namespace || o.metadata.namespace === namespace) && matches(o);
    const rvText = q.get("resourceVersion") ?? "";
    if (rvText !== "" && !/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be an integer`);
    const sendInitial = q.has("sendInitialEvents") ? isTrue(q.get("sendInitialEvents")) : rvText === "" || rvText === "0";
    const bookmarks = isTrue(q.get("allowWatchBookmarks"));
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    // A stream can end (timeout, a dropped connection) while a bookmark or an
    // event is due: writing after the end must be a no-op, not a crash.
    const send = (type, object) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    res.on("error", () => {});
    const translate = (e) => {
      const was = e.prev && inScope(e.prev);
      if (e.type === "DELETED") return was ? ["DELETED", e.object] : undefined;
      const is = inScope(e.object);
      if (is) return [was ? "MODIFIED" : "ADDED", e.object];
      if (was) return ["DELETED", { ...structuredClone(e.prev), metadata: { ...e.prev.metadata, resourceVersion: e.object.metadata.resourceVersion } }];
      return undefined;
    };
    let backlog = [];
    try {
      if (sendInitial) {
        backlog = this.store.list(resource, namespace).filter(inScope).map((o) => ["ADDED", o]);
      } else {
        backlog = this.store.eventsSince(resource, Number(rvText)).map(translate).filter(Boolean);
      }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      send("ERROR", e.body());
      res.end();
      return;
    }
    for (const [type, obj] of backlog) send(type, obj);
    const bookmark = (annotations) => send("BOOKMARK", {
      kind: resources[resource].kind,
      apiVersion: "v1",
      metadata: { resourceVersion: String(this.store.rv), ...(annotations ? { annotations } : {}) },
    });
    if (sendInitial && bookmarks && q.has("sendInitialEvents")) bookmark({ "k8s.io/initial-events-end": "true" });
    const onChange = (e) => {
      if (e.resource !== resource) return;
      const out = translate(e);
      if (out) send(out[0], structuredClone(out[1]));
    };
    this.store.on("change", onChange);
    const timers = [];
    if (bookmarks) timers.push(setInterval(() => bookmark(), this.bookmarkMs));
    const timeout = Number(q.get("timeoutSeconds") ?? 0);
    if (timeout > 0) timers.push(setTimeout(() => res.end(), timeout * 1000));
    this.track(res, () => {
      this.store.off("change", onChange);
      for (const t of timers) clearTimeout(t);
    });
  }

  track(res, cleanup) {
    this.streams.add(res);
    const done = () => {
      if (!this.streams.delete(res)) return;
      cleanup();
    };
    res.on("close", done);
    res.on("finish", done);
  }

  subresource(req, res, resource, namespace, name, sub, q, body) {
    if (resource !== "pods" && !(resource === "namespaces" && sub === "status")) throw notFoundPath();
    if (sub === "status") {
      if (req.method !== "GET") throw methodNotAllowed();
      return json(res, 200, this.registry.get(resource, namespace, name));
    }
    if (sub === "log") {
      if (req.method !== "GET") throw methodNotAllowed();
      return this.podLog(res, namespace, name, q);
    }
    if (sub === "eviction") {
      if (req.method !== "POST") throw methodNotAllowed();
      const { obj, causes } = this.registry.decode("pods", body, { kindOverride: "Eviction" });
      if (causes.length) throw invalid("Eviction", name, causes);
      if (obj.metadata?.name && obj.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
      this.registry.delete("pods", namespace, name, obj.deleteOptions ?? {});
      return json(res, 201, successStatus(undefined));
    }
    throw notFoundPath();
  }

  podLog(res, namespace, name, q) {
    const pod = this.registry.get("pods", namespace, name);
    const names = pod.spec.containers.map((c) => c.name);
    const initNames = (pod.spec.initContainers ?? []).map((c) => c.name);
    let container = q.get("container");
    if (!container) {
      if (names.length !== 1) {
        const init = initNames.length ? ` or one of the init containers: [${initNames.join(" ")}]` : "";
        throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]${init}`);
      }
      container = names[0];
    }
    if (!names.includes(container) && !initNames.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const instances = this.logs.instances(pod.metadata.uid, container);
    const previous = isTrue(q.get("previous"));
    const log = previous ? instances.at(-2) : instances.at(-1);
    if (!log) {
      if (previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
      const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === container);
      const reason = st?.state?.waiting?.reason ?? "ContainerCreating";
      const why = reason === "ErrImagePull" || reason === "ImagePullBackOff" ? "trying and failing to pull image" : reason;
      throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${why}`);
    }
    let sinceNs;
    if (q.has("sinceTime")) {
      sinceNs = parseTimeNs(q.get("sinceTime"));
      if (sinceNs === undefined) throw badRequest(`sinceTime: Invalid value: "${q.get("sinceTime")}": parsing time`);
    } else if (q.has("sinceSeconds")) {
      sinceNs = BigInt(Date.now() - Number(q.get("sinceSeconds")) * 1000) * 1_000_000n;
    }
    const timestamps = isTrue(q.get("timestamps"));
    let budget = q.has("limitBytes") ? Number(q.get("limitBytes")) : Infinity;
    const render = (l) => (timestamps ? `${l.ts} ${l.text}` : l.text);
    let lines = log.lines.filter((l) => sinceNs === undefined || l.ns >= sinceNs);
    if (q.has("tailLines")) lines = Number(q.get("tailLines")) > 0 ? lines.slice(-Number(q.get("tailLines"))) : [];
    res.writeHead(200, { "Content-Type": "text/plain", ...(isTrue(q.get("follow")) ? { "Transfer-Encoding": "chunked" } : {}) });
    res.on("error", () => {});
    const write = (l) => {
      if (budget <= 0 || res.writableEnded || res.destroyed) return false;
      let text = render(l);
      if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString();
      budget -= Buffer.byteLength(text);
      res.write(text);
      return budget > 0;
    };
    for (const l of lines) if (!write(l)) break;
    if (!isTrue(q.get("follow")) || log.ended || budget <= 0) {
      res.end();
      return;
    }
    const stop = log.follow((l) => {
      if ((l === null || !write(l)) && !res.writableEnded) res.end();
    });
    this.track(res, stop);
  }

  // Ends every watch and follow abruptly (an API server restart).
  dropStreams() {
    for (const res of [...this.streams]) res.destroy();
  }
}

export function json(res, code, body, warnings = []) {
  const text = JSON.stringify(body);
  const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ");
  res.writeHead(code, headers);
  res.end(text);
}
