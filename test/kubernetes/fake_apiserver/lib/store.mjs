// The object store: one monotonic resourceVersion across every object (like
// etcd's revision), a bounded event history for watches and consistent
// lists, and compaction that makes older versions 410 Gone.
import { EventEmitter } from "node:events";
import { gone } from "./status.mjs";

export const keyOf = (namespace, name) => (namespace ? `${namespace}/${name}` : name);

export class Store extends EventEmitter {
  constructor({ historyLimit = 1000 } = {}) {
    super();
    this.setMaxListeners(0);
    this.rv = 0;
    this.compactedRv = 0; // the newest revision whose event was dropped
    this.historyLimit = historyLimit;
    this.history = []; // { rv, resource, type, object, prev }
    this.objects = new Map(); // resource -> Map(key -> object)
  }

  table(resource) {
    if (!this.objects.has(resource)) this.objects.set(resource, new Map());
    return this.objects.get(resource);
  }

  get(resource, namespace, name) {
    const obj = this.table(resource).get(keyOf(namespace, name));
    return obj && structuredClone(obj);
  }

  // Current objects, in key order (as etcd returns them).
  list(resource, namespace) {
    return [...this.table(resource).entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  // The objects as they were at revision `rv`, rebuilt by undoing the
  // history after it; a compacted revision is 410 Gone.
  listAt(resource, namespace, rv) {
    if (rv >= this.rv) return this.list(resource, namespace);
    this.checkNotCompacted(rv);
    const state = new Map(this.table(resource));
    for (let i = this.history.length - 1; i >= 0 && this.history[i].rv > rv; i--) {
      const e = this.history[i];
      if (e.resource !== resource) continue;
      const k = keyOf(e.object.metadata.namespace, e.object.metadata.name);
      if (e.prev) state.set(k, e.prev);
      else state.delete(k);
    }
    return [...state.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  checkNotCompacted(rv) {
    if (rv < this.compactedRv) throw gone(`too old resource version: ${rv} (${this.compactedRv + 1})`);
  }

  // Events of `resource` after revision `rv`, oldest first.
  eventsSince(resource, rv) {
    this.checkNotCompacted(rv);
    return this.history.filter((e) => e.rv > rv && e.resource === resource);
  }

  write(resource, type, object, prev) {
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    const k = keyOf(object.metadata.namespace, object.metadata.name);
    if (type === "DELETED") this.table(resource).delete(k);
    else this.table(resource).set(k, object);
    const event = { rv: this.rv, resource, type, object, prev };
    this.history.push(event);
    while (this.history.length > this.historyLimit) this.compactedRv = this.history.shift().rv;
    this.emit("change", event);
    return structuredClone(object);
  }

  create(resource, object) {
    return this.write(resource, "ADDED", structuredClone(object), undefined);
  }

  update(resource, object) {
    const prev = this.table(resource).get(keyOf(object.metadata.namespace, object.metadata.name));
    return this.write(resource, "MODIFIED", structuredClone(object), prev);
  }

  remove(resource, namespace, name) {
    const prev = this.table(resource).get(keyOf(namespace, name));
    if (!prev) return undefined;
    return this.write(resource, "DELETED", structuredClone(prev), prev);
  }

  // A write elsewhere in the cluster (a lease renewal, an event): moves the
  // revision on without touching any object a client watches.
  bump() {
    this.rv += 1;
  }

  // Drops the whole history, as an API server restart drops its watch cache.
  compact() {
    this.history = [];
    this.compactedRv = this.rv;
  }
}
