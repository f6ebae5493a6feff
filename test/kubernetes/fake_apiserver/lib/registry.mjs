// The API semantics of each core/v1 resource on top of the store: decoding
// and validation, defaults and admission (service accounts), create/update/
// patch/delete with preconditions, finalizers, graceful pod deletion and
// garbage collection through ownerReferences.
import { randomBytes, randomUUID } from "node:crypto";
import { checkSchema, dropFields } from "./schema.mjs";
import { checkConfigMap, checkNamespace, checkNamespaced, checkPod, checkPvc, checkSecret } from "./rules.mjs";
import { selectorFor } from "./selectors.mjs";
import {
  ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, methodNotAllowed, notFound, successStatus,
} from "./status.mjs";

const dependentResources = ["pods", "persistentvolumeclaims", "secrets", "configmaps", "serviceaccounts"];

export const SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

// resource -> how it behaves. `check` holds the server-side rules.
export const resources = {
  pods: { kind: "Pod", namespaced: true, shortNames: ["po"], check: null, returnsObject: true },
  persistentvolumeclaims: { kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"], check: checkPvc, returnsObject: true },
  secrets: { kind: "Secret", namespaced: true, shortNames: [], check: checkSecret },
  configmaps: { kind: "ConfigMap", namespaced: true, shortNames: ["cm"], check: checkConfigMap },
  serviceaccounts: { kind: "ServiceAccount", namespaced: true, shortNames: ["sa"], check: checkNamespaced },
  namespaces: { kind: "Namespace", namespaced: false, shortNames: ["ns"], check: checkNamespace, returnsObject: true },
  nodes: { kind: "Node", namespaced: false, shortNames: ["no"], readOnly: true },
};

const nameChars = "bcdfghjklmnpqrstvwxz2456789";
const randomSuffix = (n) => [...randomBytes(n)].map((b) => nameChars[b % nameChars.length]).join("");
export const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

function qosClass(spec) {
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const res = all.map((c) => c.resources ?? {});
  if (res.every((r) => !Object.keys(r.limits ?? {}).length && !Object.keys(r.requests ?? {}).length)) return "BestEffort";
  const guaranteed = res.every((r) => ["cpu", "memory"].every((k) => r.limits?.[k] !== undefined
    && (r.requests?.[k] === undefined || r.requests[k] === r.limits[k])));
  return guaranteed ? "Guaranteed" : "Burstable";
}

function defaultContainer(c) {
  const tagged = /:[^/]+$/.test(c.image ?? "") || (c.image ?? "").includes("@");
  c.imagePullPolicy ??= !tagged || /:latest$/.test(c.image ?? "") ? "Always" : "IfNotPresent";
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= "v1";
}

// The defaults kube-apiserver fills in (and the service account admission
// plugin's token volume), so a client reads back what a cluster returns.
function defaultPod(pod, automount) {
  const s = pod.spec;
  s.restartPolicy ??= "Always";
  s.dnsPolicy ??= "ClusterFirst";
  s.schedulerName ??= "default-scheduler";
  s.terminationGracePeriodSeconds ??= 30;
  s.securityContext ??= {};
  s.serviceAccountName ??= s.serviceAccount ?? "default";
  s.serviceAccount = s.serviceAccountName;
  s.enableServiceLinks ??= true;
  s.priority ??= 0;
  s.preemptionPolicy ??= "PreemptLowerPriority";
  s.tolerations ??= [];
  for (const taint of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!s.tolerations.some((t) => t.key === taint)) {
      s.tolerations.push({ key: taint, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
    }
  }
  for (const v of s.volumes ?? []) {
    if (v.secret) v.secret.defaultMode ??= 420;
    if (v.configMap) v.configMap.defaultMode ??= 420;
  }
  const all = [...(s.initContainers ?? []), ...s.containers];
  all.forEach(defaultContainer);
  if (automount && s.automountServiceAccountToken !== false) {
    const name = `kube-api-access-${randomSuffix(5)}`;
    (s.volumes ??= []).push({
      name,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
        ],
      },
    });
    for (const c of all) {
      if (!(c.volumeMounts ?? []).some((m) => m.mountPath === SA_MOUNT)) {
        (c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: SA_MOUNT });
      }
    }
  }
  pod.status = { phase: "Pending", qosClass: qosClass(s) };
}

// RFC 7386 JSON merge patch.
export function mergePatch(target, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const out = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// RFC 6902 JSON patch: add, remove, replace, test.
function jsonPatch(target, ops) {
  if (!Array.isArray(ops)) throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  const doc = structuredClone(target);
  for (const op of ops) {
    const segs = String(op.path ?? "").split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = segs.pop();
    const parent = segs.reduce((o, s) => (o == null ? o : o[s]), doc);
    if (parent == null || typeof parent !== "object") throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: doc is missing path: "${op.path}"`);
    const index = Array.isArray(parent) ? (last === "-" ? parent.length : Number(last)) : last;
    if (op.op === "add") Array.isArray(parent) ? parent.splice(index, 0, op.value) : (parent[index] = op.value);
    else if (op.op === "replace" || op.op === "remove") {
      if (!(index in parent)) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: doc is missing key: ${op.path}`);
      if (op.op === "replace") parent[index] = op.value;
      else Array.isArray(parent) ? parent.splice(index, 1) : delete parent[index];
    } else if (op.op === "test") {
      if (JSON.stringify(parent[index]) !== JSON.stringify(op.value)) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: testing value ${op.path} failed`);
    } else throw badRequest(`Unexpected kind: ${op.op}`);
  }
  return doc;
}

export class Registry {
  constructor({ store, maxPodName = 63 }) {
    this.store = store;
    this.maxPodName = maxPodName;
    // Set by the kubelet: called when a scheduled pod's deletion is requested.
    this.onPodDeletion = () => {};
    store.on("change", (e) => this.afterChange(e));
  }

  info(resource) {
    const r = resources[resource];
    if (!r) throw notFound(resource, "");
    return r;
  }

  // Body bytes -> a checked object of `resource`'s kind. Returns warnings for
  // fieldValidation=Warn; Strict (the fake's default) refuses unknown fields.
  decode(resource, text, { fieldValidation = "Strict", kindOverride } = {}) {
    const kind = kindOverride ?? this.info(resource).kind;
    let obj;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw badRequest(`json: ${e.message}`);
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw badRequest("json: cannot unmarshal into Go value of type struct");
    return this.checkDecoded(kind, obj, fieldValidation);
  }

  checkDecoded(kind, obj, fieldValidation = "Strict") {
    const group = kind === "Eviction" ? "policy/v1" : kind === "DeleteOptions" ? undefined : "v1";
    if (group) {
      if (obj.apiVersion !== undefined && obj.apiVersion !== group) {
        throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${group})`);
      }
      if (obj.kind !== undefined && obj.kind !== kind) {
        throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: kind ${obj.kind} does not match ${kind}`);
      }
    }
    const { unknown, decode, invalid: causes } = checkSchema(kind, obj);
    const prefix = `${kind} in version "v1" cannot be handled as a ${kind}: `;
    if (decode.length) throw badRequest(prefix + decode[0]);
    const warnings = [];
    if (unknown.length) {
      if (fieldValidation === "Strict") {
        throw badRequest(`${prefix}strict decoding error: ${unknown.map((u) => `unknown field "${u.path}"`).join(", ")}`);
      }
      if (fieldValidation === "Warn") warnings.push(...unknown.map((u) => `unknown field "${u.path}"`));
      dropFields(obj, unknown);
    }
    return { obj, warnings, causes };
  }

  // The schema's causes plus the server-side rules', reported together.
  serverRules(resource, obj, schemaCauses = []) {
    const causes = [...schemaCauses, ...(resource === "pods" ? checkPod(obj, { maxPodName: this.maxPodName }) : this.info(resource).check(obj))];
    if (causes.length) throw invalid(this.info(resource).kind, obj.metadata?.name ?? obj.metadata?.generateName ?? "", causes);
  }

  requireNamespace(namespace) {
    if (!this.store.get("namespaces", undefined, namespace)) throw notFound("namespaces", namespace);
  }

  get(resource, namespace, name) {
    const obj = this.store.get(resource, this.info(resource).namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(resource, name);
    return obj;
  }

  // A list page: { items, resourceVersion, continue, remaining }.
  list(resource, namespace, query) {
    const info = this.info(resource);
    const matches = selectorFor(resource, query);
    const limit = Number(query.get("limit") ?? 0);
    let rv = this.store.rv;
    let start = "";
    const token = query.get("continue");
    if (token) {
      let parsed;
      try {
        parsed = JSON.parse(Buffer.from(token, "base64").toString());
      } catch {
        throw badRequest("continue key is not valid: illegal base64 data");
      }
      if (parsed.rv < this.store.compactedRv) {
        throw new ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
      }
      rv = parsed.rv;
      start = parsed.start;
    } else if (query.get("resourceVersionMatch") === "Exact") {
      rv = Number(query.get("resourceVersion"));
      if (!Number.isInteger(rv)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(query.get("resourceVersion"))}: must be an integer`);
    }
    const ns = info.namespaced ? namespace : undefined;
    const all = (rv === this.store.rv ? this.store.list(resource, ns) : this.store.listAt(resource, ns, rv)).filter(matches);
    const keyed = all.map((o) => [`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o]).filter(([k]) => k > start);
    const page = limit > 0 ? keyed.slice(0, limit) : keyed;
    const more = limit > 0 && keyed.length > limit;
    return {
      items: page.map(([, o]) => o),
      resourceVersion: String(rv),
      continue: more ? Buffer.from(JSON.stringify({ rv, start: page.at(-1)[0] })).toString("base64") : undefined,
      remaining: more ? keyed.length - limit : undefined,
    };
  }

  create(resource, namespace, text, opts = {}) {
    const info = this.info(resource);
    if (info.readOnly) throw methodNotAllowed();
    const { obj, warnings, causes } = this.decode(resource, text, opts);
    obj.apiVersion = "v1";
    obj.kind = info.kind;
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (info.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = namespace;
      this.requireNamespace(namespace);
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName.slice(0, 58) + randomSuffix(5);
    this.serverRules(resource, obj, causes);
    if (this.store.get(resource, meta.namespace, meta.name)) throw alreadyExists(resource, meta.name);
    for (const k of ["uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"]) delete meta[k];
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    this.admit(resource, obj);
    if (opts.dryRun) return { obj, warnings };
    return { obj: this.store.create(resource, obj), warnings };
  }

  // What admission and the controllers do to a new object.
  admit(resource, obj) {
    const ns = obj.metadata.namespace;
    if (resource === "pods") {
      const saName = obj.spec.serviceAccountName ?? obj.spec.serviceAccount ?? "default";
      const sa = this.store.get("serviceaccounts", ns, saName);
      if (!sa) {
        throw forbidden("pods", obj.metadata.name, `error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`);
      }
      defaultPod(obj, sa.automountServiceAccountToken !== false);
    } else if (resource === "secrets") {
      obj.type ??= "Opaque";
      for (const [k, v] of Object.entries(obj.stringData ?? {})) (obj.data ??= {})[k] = Buffer.from(String(v)).toString("base64");
      delete obj.stringData;
    } else if (resource === "persistentvolumeclaims") {
      obj.spec.volumeMode ??= "Filesystem";
      obj.spec.storageClassName ??= "local-path";
      obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), "kubernetes.io/pvc-protection"])];
      obj.status = { phase: "Pending" };
    } else if (resource === "namespaces") {
      obj.metadata.labels = { ...obj.metadata.labels, "kubernetes.io/metadata.name": obj.metadata.name };
      obj.spec = { finalizers: ["kubernetes"] };
      obj.status = { phase: "Active" };
    }
    delete obj.metadata.generation;
    if (["pods", "persistentvolumeclaims", "namespaces"].includes(resource)) obj.metadata.generation = 1;
  }

  // PUT: a full replacement, with the resourceVersion as a precondition.
  replace(resource, namespace, name, text, opts = {}) {
    const info = this.info(resource);
    if (info.readOnly) throw methodNotAllowed();
    const current = this.get(resource, namespace, name);
    const { obj, warnings, causes } = this.decode(resource, text, opts);
    if (obj.metadata?.name !== undefined && obj.metadata.name !== name) {
      throw badRequest("the name of the object (" + obj.metadata.name + ") does not match the name on the URL (" + name + ")");
    }
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== current.metadata.resourceVersion) {
      throw conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    return { obj: this.applyUpdate(resource, current, obj, causes), warnings };
  }

  patch(resource, namespace, name, contentType, text, opts = {}) {
    const info = this.info(resource);
    if (info.readOnly) throw methodNotAllowed();
    const current = this.get(resource, namespace, name);
    let patch;
    try {
      patch = JSON.parse(text);
    } catch (e) {
      throw badRequest(`json: ${e.message}`);
    }
    const type = (contentType ?? "").split(";")[0].trim();
    let merged;
    if (type === "application/merge-patch+json" || type === "application/strategic-merge-patch+json") {
      merged = mergePatch(current, patch);
    } else if (type === "application/json-patch+json") {
      merged = jsonPatch(current, patch);
    } else {
      throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
    }
    const kind = info.kind;
    const { warnings, causes } = this.checkDecoded(kind, structuredClone(merged), opts.fieldValidation);
    const rv = patch?.metadata?.resourceVersion;
    if (type !== "application/json-patch+json" && rv !== undefined && rv !== current.metadata.resourceVersion) {
      throw conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    return { obj: this.applyUpdate(resource, current, merged, causes), warnings };
  }

  // The update rules every path shares: identity and system fields stay,
  // status belongs to its subresource, immutable parts refuse to change.
  applyUpdate(resource, current, next, schemaCauses = []) {
    const info = this.info(resource);
    next.apiVersion = "v1";
    next.kind = info.kind;
    next.metadata ??= {};
    const keep = ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"];
    for (const k of keep) {
      if (current.metadata[k] === undefined) delete next.metadata[k];
      else next.metadata[k] = current.metadata[k];
    }
    if (["pods", "persistentvolumeclaims", "namespaces"].includes(resource)) next.status = current.status;
    this.serverRules(resource, next, schemaCauses);
    const immutable = (field, why) => {
      throw invalid(info.kind, current.metadata.name, [{ reason: "FieldValueForbidden", field, message: `Forbidden: ${why}` }]);
    };
    if (resource === "pods") {
      const strip = (s) => {
        const c = structuredClone(s);
        for (const ct of [...(c.containers ?? []), ...(c.initContainers ?? [])]) delete ct.image;
        delete c.activeDeadlineSeconds;
        delete c.tolerations;
        return JSON.stringify(c);
      };
      if (strip(next.spec ?? {}) !== strip(current.spec)) {
        immutable("spec", "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)");
      }
    } else if (resource === "secrets" || resource === "configmaps") {
      if (resource === "secrets") {
        for (const [k, v] of Object.entries(next.stringData ?? {})) (next.data ??= {})[k] = Buffer.from(String(v)).toString("base64");
        delete next.stringData;
        next.type ??= current.type;
        if (next.type !== current.type) immutable("type", "field is immutable");
      }
      if (current.immutable) {
        if (JSON.stringify(next.data ?? {}) !== JSON.stringify(current.data ?? {})) immutable("data", "field is immutable when `immutable` is set");
        if (next.immutable !== true) immutable("immutable", "field is immutable when `immutable` is set");
      }
    } else if (resource === "persistentvolumeclaims") {
      const spec = (s) => JSON.stringify({ ...s, resources: undefined });
      if (spec(next.spec) !== spec(current.spec)) immutable("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims");
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(current)) return current;
    const saved = this.store.update(resource, next);
    this.finalizeIfDone(resource, saved);
    return saved;
  }

  // Called by the kubelet and the controllers for status and finalizers.
  updateStatus(resource, namespace, name, uid, mutate) {
    const current = this.store.get(resource, namespace, name);
    if (!current || (uid && current.metadata.uid !== uid)) return undefined;
    const before = JSON.stringify(current);
    mutate(current);
    if (JSON.stringify(current) === before) return current;
    const saved = this.store.update(resource, current);
    this.finalizeIfDone(resource, saved);
    return saved;
  }

  // A deleted object goes once only the garbage collector's orphan
  // finalizer is left (pods go when the kubelet has stopped them).
  finalizeIfDone(resource, obj) {
    if (!obj.metadata.deletionTimestamp || resource === "pods") return;
    if ((obj.metadata.finalizers ?? []).every((f) => f === "orphan")) this.remove(resource, obj.metadata.namespace, obj.metadata.name);
  }

  // Whether a pod whose deletion was requested may now leave the store.
  podRemovable(pod) {
    return (pod.metadata.finalizers ?? []).every((f) => f === "orphan");
  }

  // DELETE with DeleteOptions (body or query). Returns the response body.
  delete(resource, namespace, name, options = {}) {
    const info = this.info(resource);
    if (info.readOnly || resource === "namespaces") throw methodNotAllowed();
    const current = this.get(resource, namespace, name);
    const pre = options.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    if (options.dryRun?.length) return info.returnsObject ? current : successStatus({ name, kind: resource, uid: current.metadata.uid });
    const policy = options.propagationPolicy ?? (options.orphanDependents ? "Orphan" : "Background");
    if (!["Orphan", "Background", "Foreground"].includes(policy)) {
      throw invalid("DeleteOptions", "", [{ reason: "FieldValueNotSupported", field: "propagationPolicy", message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` }]);
    }
    const meta = current.metadata;
    let result;
    if (resource === "pods" && current.spec.nodeName && options.gracePeriodSeconds !== 0) {
      const grace = options.gracePeriodSeconds ?? current.spec.terminationGracePeriodSeconds ?? 30;
      const asked = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
      if (!meta.deletionTimestamp || grace < meta.deletionGracePeriodSeconds) {
        meta.deletionTimestamp = asked;
        meta.deletionGracePeriodSeconds = grace;
        this.setPolicy(current, policy);
        result = this.store.update(resource, current);
        this.onPodDeletion(result, grace);
      } else result = current;
    } else if ((meta.finalizers ?? []).length || policy === "Foreground") {
      if (!meta.deletionTimestamp) {
        meta.deletionTimestamp = now();
        meta.deletionGracePeriodSeconds = 0;
        this.setPolicy(current, policy);
        result = this.store.update(resource, current);
      } else result = current;
      if (policy === "Foreground") {
        this.collectDependents(current, "Background");
        this.finishForeground(resource, result);
      }
    } else {
      result = this.remove(resource, namespace, name, policy);
      if (resource === "pods") this.onPodDeletion(result, 0);
    }
    return info.returnsObject || resource === "pods" ? result : successStatus({ name, kind: resource, uid: meta.uid });
  }

  // The propagation policy rides on the object until it is removed (the
  // real server keeps it in finalizers: orphan, foregroundDeletion).
  setPolicy(obj, policy) {
    const fin = new Set(obj.metadata.finalizers ?? []);
    if (policy === "Orphan") fin.add("orphan");
    if (policy === "Foreground") fin.add("foregroundDeletion");
    obj.metadata.finalizers = [...fin];
    if (!obj.metadata.finalizers.length) delete obj.metadata.finalizers;
  }

  // Removes the object now (the final step of every deletion), then lets the
  // garbage collector act on its dependents.
  remove(resource, namespace, name, policy = undefined) {
    const ns = this.info(resource).namespaced ? namespace : undefined;
    const obj = this.store.get(resource, ns, name);
    if (!obj) return undefined;
    const orphan = policy ? policy === "Orphan" : (obj.metadata.finalizers ?? []).includes("orphan");
    const removed = this.store.remove(resource, ns, name);
    this.collectDependents(obj, orphan ? "Orphan" : "Background");
    return removed;
  }

  collectDependents(owner, policy) {
    for (const resource of dependentResources) {
      for (const dep of this.store.list(resource, owner.metadata.namespace)) {
        const refs = dep.metadata.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === owner.metadata.uid)) continue;
        if (policy === "Orphan") {
          this.updateStatus(resource, dep.metadata.namespace, dep.metadata.name, dep.metadata.uid, (d) => {
            d.metadata.ownerReferences = refs.filter((r) => r.uid !== owner.metadata.uid);
            if (!d.metadata.ownerReferences.length) delete d.metadata.ownerReferences;
          });
        } else if (!dep.metadata.deletionTimestamp) {
          this.delete(resource, dep.metadata.namespace, dep.metadata.name, {});
        }
      }
    }
  }

  // Ends a foreground deletion once no object names the owner any more.
  finishForeground(resource, owner) {
    const ns = owner.metadata.namespace;
    const left = dependentResources.some((r) =>
      this.store.list(r, ns).some((o) => (o.metadata.ownerReferences ?? []).some((x) => x.uid === owner.metadata.uid)));
    if (left) return;
    const done = this.updateStatus(resource, ns, owner.metadata.name, owner.metadata.uid, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== "foregroundDeletion");
    });
    if (done && resource === "pods") this.onPodDeletion(done, done.metadata.deletionGracePeriodSeconds ?? 0);
  }

  // The garbage collector's view of every removal: owners waiting in
  // foreground deletion finish when their last dependent goes.
  afterChange(event) {
    if (event.type !== "DELETED") return;
    const ns = event.object.metadata.namespace;
    for (const ref of event.object.metadata.ownerReferences ?? []) {
      for (const resource of dependentResources) {
        const owner = this.store.list(resource, ns).find((o) => o.metadata.uid === ref.uid);
        if (owner?.metadata.finalizers?.includes("foregroundDeletion")) this.finishForeground(resource, owner);
      }
    }
  }

  deleteCollection(resource, namespace, query, options) {
    const { items } = this.list(resource, namespace, query);
    const deleted = items.map((o) => this.delete(resource, o.metadata.namespace, o.metadata.name, options));
    return { apiVersion: "v1", kind: `${this.info(resource).kind}List`, metadata: { resourceVersion: String(this.store.rv) }, items: deleted.filter((d) => d.kind !== "Status") };
  }
}
