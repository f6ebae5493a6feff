// meta.k8s.io/v1 Table responses, which kubectl asks for to print `get`
// output: the pod columns kubectl shows (NAME READY STATUS RESTARTS AGE) and
// NAME/AGE for the rest.

function age(ts) {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

// The STATUS column as kubectl's pod printer derives it.
function podStatus(pod) {
  if (pod.metadata.deletionTimestamp) return pod.status?.reason === "NodeLost" ? "Unknown" : "Terminating";
  let reason = pod.status?.reason ?? pod.status?.phase ?? "Pending";
  const init = pod.status?.initContainerStatuses ?? [];
  for (const [i, c] of init.entries()) {
    if (c.state?.terminated?.exitCode === 0) continue;
    if (c.state?.terminated) return `Init:${c.state.terminated.reason ?? "Error"}`;
    if (c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing") return `Init:${c.state.waiting.reason}`;
    return `Init:${i}/${init.length}`;
  }
  for (const c of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
  }
  return reason;
}

const column = (name, type, format = "", priority = 0) => ({ name, type, format, description: "", priority });

function rowObject(obj) {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

export function toTable(resource, objects, resourceVersion) {
  let columnDefinitions;
  let cells;
  if (resource === "pods") {
    columnDefinitions = [column("Name", "string", "name"), column("Ready", "string"), column("Status", "string"),
      column("Restarts", "string"), column("Age", "string"), column("IP", "string", "", 1), column("Node", "string", "", 1)];
    cells = (p) => {
      const cs = p.status?.containerStatuses ?? [];
      const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      return [p.metadata.name, `${cs.filter((c) => c.ready).length}/${p.spec.containers.length}`, podStatus(p),
        String(restarts), age(p.metadata.creationTimestamp), p.status?.podIP ?? "<none>", p.spec.nodeName ?? "<none>"];
    };
  } else if (resource === "persistentvolumeclaims") {
    columnDefinitions = [column("Name", "string", "name"), column("Status", "string"), column("Volume", "string"),
      column("Capacity", "string"), column("Access Modes", "string"), column("StorageClass", "string"), column("Age", "string")];
    cells = (c) => [c.metadata.name, c.metadata.deletionTimestamp ? "Terminating" : c.status?.phase ?? "Pending", c.spec.volumeName ?? "",
      c.status?.capacity?.storage ?? "", (c.status?.accessModes ?? []).map((m) => ({ ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" })[m]).join(","),
      c.spec.storageClassName ?? "", age(c.metadata.creationTimestamp)];
  } else {
    columnDefinitions = [column("Name", "string", "name"), column("Age", "string")];
    cells = (o) => [o.metadata.name, age(o.metadata.creationTimestamp)];
  }
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions,
    rows: objects.map((o) => ({ cells: cells(o), object: rowObject(o) })),
  };
}
