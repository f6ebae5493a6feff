// The controllers a client notices besides the kubelet: every namespace gets
// its `default` service account and `kube-root-ca.crt`; persistent volume
// claims bind on first use (local-path's WaitForFirstConsumer), keep their
// folder across pods, and go (with the folder) once no pod uses them.
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { now } from "./registry.mjs";

const terminal = (pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

export class Controllers {
  constructor({ store, registry, caPem, volumesDir, log }) {
    this.store = store;
    this.registry = registry;
    this.caPem = caPem;
    this.volumesDir = volumesDir;
    this.log = log;
    store.on("change", (e) => this.onChange(e));
  }

  pvcDir(pvc) {
    return join(this.volumesDir, `pvc-${pvc.metadata.uid}`);
  }

  createNamespace(name) {
    if (this.store.get("namespaces", undefined, name)) return;
    this.registry.create("namespaces", undefined, JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
  }

  onChange(e) {
    if (e.resource === "namespaces" && e.type === "ADDED") this.bootstrapNamespace(e.object.metadata.name);
    if (e.resource === "pods" || e.resource === "persistentvolumeclaims") this.protectClaims();
    if (e.resource === "persistentvolumeclaims" && e.type === "DELETED") {
      rmSync(this.pvcDir(e.object), { recursive: true, force: true });
      this.log(`pvc ${e.object.metadata.namespace}/${e.object.metadata.name} deleted with its folder`);
    }
  }

  // What the service account and root-CA publisher controllers create.
  bootstrapNamespace(ns) {
    const system = (resource, obj) => {
      if (this.store.get(resource, ns, obj.metadata.name)) return;
      obj.metadata = { ...obj.metadata, namespace: ns, uid: randomUUID(), creationTimestamp: now() };
      this.store.create(resource, obj);
    };
    system("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } });
    system("configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-root-ca.crt", annotations: { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } },
      data: { "ca.crt": this.caPem },
    });
  }

  // The scheduler's volume binding for a pod placed on the node.
  bindClaim(namespace, claimName) {
    const pvc = this.store.get("persistentvolumeclaims", namespace, claimName);
    if (!pvc) return undefined;
    mkdirSync(this.pvcDir(pvc), { recursive: true });
    if (pvc.status?.phase !== "Bound") {
      this.registry.updateStatus("persistentvolumeclaims", namespace, claimName, pvc.metadata.uid, (c) => {
        c.spec.volumeName = `pvc-${c.metadata.uid}`;
        c.metadata.annotations = {
          ...c.metadata.annotations,
          "pv.kubernetes.io/bind-completed": "yes",
          "pv.kubernetes.io/bound-by-controller": "yes",
          "volume.kubernetes.io/selected-node": "fake-node",
          "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path",
        };
        c.status = { phase: "Bound", accessModes: c.spec.accessModes, capacity: { storage: c.spec.resources.requests.storage } };
      });
    }
    return this.pvcDir(pvc);
  }

  // kubernetes.io/pvc-protection: a claim being deleted stays until no
  // running pod mounts it.
  protectClaims() {
    for (const pvc of this.store.list("persistentvolumeclaims")) {
      if (!pvc.metadata.deletionTimestamp || !(pvc.metadata.finalizers ?? []).includes("kubernetes.io/pvc-protection")) continue;
      const inUse = this.store.list("pods", pvc.metadata.namespace).some((p) => !terminal(p)
        && (p.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name));
      if (inUse) continue;
      this.registry.updateStatus("persistentvolumeclaims", pvc.metadata.namespace, pvc.metadata.name, pvc.metadata.uid, (c) => {
        c.metadata.finalizers = c.metadata.finalizers.filter((f) => f !== "kubernetes.io/pvc-protection");
      });
    }
  }
}
