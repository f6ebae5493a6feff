// The server-side validation rules the OpenAPI schema cannot express and a
// client trips over: name and label syntax, required container fields,
// quantities, volume references. Messages follow apimachinery's wording.

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const configKey = /^[-._a-zA-Z0-9]+$/;
// apimachinery's resource.Quantity: a signed decimal, then a binary or
// decimal SI suffix or a decimal exponent.
const quantity = /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const suffixValue = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const labelMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const qualifiedMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelNameMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export function parseQuantity(text) {
  const s = String(text);
  const m = quantity.exec(s);
  if (!m) return undefined;
  const number = Number(m[1]) * (s.startsWith("-") ? -1 : 1);
  const suffix = m[2] ?? "";
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  return number * (suffixValue[suffix] ?? 1);
}

class Causes {
  constructor() {
    this.list = [];
  }
  add(reason, field, message) {
    this.list.push({ reason, field, message });
  }
  invalid(field, value, why) {
    this.add("FieldValueInvalid", field, `Invalid value: ${JSON.stringify(value)}: ${why}`);
  }
  required(field, why = "") {
    this.add("FieldValueRequired", field, why ? `Required value: ${why}` : "Required value");
  }
  tooLong(field, value, max) {
    this.add("FieldValueTooLong", field, `Too long: may not be more than ${max} bytes`);
  }
}

function checkName(c, field, name, { label = false, max = label ? 63 : 253 } = {}) {
  if (name.length > max) c.invalid(field, name, `must be no more than ${max} characters`);
  if (!(label ? dns1123Label : dns1123Subdomain).test(name)) c.invalid(field, name, label ? labelNameMsg : subdomainMsg);
}

function checkQualifiedKey(c, field, key) {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : "";
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !dns1123Subdomain.test(prefix))) {
    c.invalid(field, key, `prefix part ${subdomainMsg}`);
  }
  if (name.length === 0 || name.length > 63) c.invalid(field, key, "name part must be no more than 63 characters");
  else if (!qualifiedName.test(name)) c.invalid(field, key, qualifiedMsg);
}

// Metadata rules shared by every kind; `nameRule` is the kind's name syntax.
export function checkMetadata(c, meta, { label = false, maxName } = {}) {
  if (!meta.name && !meta.generateName) c.required("metadata.name", "name or generateName is required");
  if (meta.name) checkName(c, "metadata.name", meta.name, { label, max: maxName });
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    checkQualifiedKey(c, "metadata.labels", k);
    if (typeof v === "string") {
      if (v.length > 63) c.invalid(`metadata.labels`, v, "must be no more than 63 characters");
      else if (!labelValue.test(v)) c.invalid("metadata.labels", v, labelMsg);
    }
  }
  let size = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    checkQualifiedKey(c, "metadata.annotations", k);
    size += k.length + String(v).length;
  }
  if (size > 256 * 1024) c.tooLong("metadata.annotations", "", 256 * 1024);
}

function checkResources(c, field, resources = {}) {
  const parsed = {};
  for (const part of ["limits", "requests"]) {
    for (const [name, value] of Object.entries(resources[part] ?? {})) {
      const q = parseQuantity(value);
      if (q === undefined) c.invalid(`${field}.${part}[${name}]`, value, "must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$");
      else if (q < 0) c.invalid(`${field}.${part}[${name}]`, value, "must be greater than or equal to 0");
      else (parsed[part] ??= {})[name] = q;
    }
  }
  for (const [name, req] of Object.entries(parsed.requests ?? {})) {
    const lim = parsed.limits?.[name];
    if (lim !== undefined && req > lim) {
      c.invalid(`${field}.requests`, resources.requests[name], `must be less than or equal to ${name} limit of ${resources.limits[name]}`);
    }
  }
}

function checkContainer(c, field, ct, volumeNames) {
  if (!ct.name) c.required(`${field}.name`);
  else checkName(c, `${field}.name`, ct.name, { label: true });
  if (!ct.image || !String(ct.image).trim()) c.required(`${field}.image`);
  const envNames = new Set();
  (ct.env ?? []).forEach((e, i) => {
    const f = `${field}.env[${i}]`;
    if (!e.name) c.required(`${f}.name`);
    else if (!/^[\x20-\x7e]+$/.test(e.name) || e.name.includes("=")) {
      c.invalid(`${f}.name`, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='");
    }
    envNames.add(e.name);
    if (e.valueFrom) {
      const sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"].filter((k) => e.valueFrom[k]);
      if (sources.length !== 1) c.invalid(`${f}.valueFrom`, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`");
      if (e.value) c.invalid(`${f}.valueFrom`, "", "may not be specified when `value` is not empty");
      const ref = e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef;
      const refName = e.valueFrom.secretKeyRef ? "secretKeyRef" : "configMapKeyRef";
      if (ref) {
        if (!ref.name) c.required(`${f}.valueFrom.${refName}.name`);
        if (!ref.key) c.required(`${f}.valueFrom.${refName}.key`);
      }
      if (e.valueFrom.fieldRef && !e.valueFrom.fieldRef.fieldPath) c.required(`${f}.valueFrom.fieldRef.fieldPath`);
    }
  });
  (ct.envFrom ?? []).forEach((e, i) => {
    const f = `${field}.envFrom[${i}]`;
    const ref = e.secretRef ?? e.configMapRef;
    if (!ref) c.invalid(f, "", "must specify one of: `configMapRef` or `secretRef`");
    else if (!ref.name) c.required(`${f}.${e.secretRef ? "secretRef" : "configMapRef"}.name`);
  });
  const mountPaths = new Set();
  (ct.volumeMounts ?? []).forEach((m, i) => {
    const f = `${field}.volumeMounts[${i}]`;
    if (!m.name) c.required(`${f}.name`);
    else if (!volumeNames.has(m.name)) c.add("FieldValueNotFound", `${f}.name`, `Not found: ${JSON.stringify(m.name)}`);
    if (!m.mountPath) c.required(`${f}.mountPath`);
    else if (mountPaths.has(m.mountPath)) c.invalid(`${f}.mountPath`, m.mountPath, "must be unique");
    mountPaths.add(m.mountPath);
  });
  checkResources(c, `${field}.resources`, ct.resources);
}

export function checkPod(pod, { maxPodName }) {
  const c = new Causes();
  checkMetadata(c, pod.metadata ?? {}, { maxName: maxPodName });
  const spec = pod.spec;
  if (!spec) {
    c.required("spec");
    return c.list;
  }
  const volumeNames = new Set();
  (spec.volumes ?? []).forEach((v, i) => {
    const f = `spec.volumes[${i}]`;
    if (!v.name) c.required(`${f}.name`);
    else {
      checkName(c, `${f}.name`, v.name, { label: true });
      if (volumeNames.has(v.name)) c.add("FieldValueDuplicate", `${f}.name`, `Duplicate value: ${JSON.stringify(v.name)}`);
      volumeNames.add(v.name);
    }
    const sources = Object.keys(v).filter((k) => k !== "name");
    if (sources.length === 0) c.required(f, "must specify a volume type");
    else if (sources.length > 1) c.add("FieldValueForbidden", `${f}.${sources[1]}`, "Forbidden: may not specify more than 1 volume type");
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) c.required(`${f}.persistentVolumeClaim.claimName`);
    if (v.secret && !v.secret.secretName) c.required(`${f}.secret.secretName`);
  });
  if (!spec.containers || spec.containers.length === 0) c.required("spec.containers");
  const names = new Set();
  for (const [list, key] of [[spec.initContainers ?? [], "initContainers"], [spec.containers ?? [], "containers"]]) {
    list.forEach((ct, i) => {
      checkContainer(c, `spec.${key}[${i}]`, ct, volumeNames);
      if (ct.name && names.has(ct.name)) c.add("FieldValueDuplicate", `spec.${key}[${i}].name`, `Duplicate value: ${JSON.stringify(ct.name)}`);
      names.add(ct.name);
    });
  }
  if (spec.activeDeadlineSeconds !== undefined && !(spec.activeDeadlineSeconds > 0)) {
    c.invalid("spec.activeDeadlineSeconds", spec.activeDeadlineSeconds, "must be between 1 and 2147483647, inclusive");
  }
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    c.invalid("spec.terminationGracePeriodSeconds", spec.terminationGracePeriodSeconds, "must be greater than or equal to 0");
  }
  if (spec.serviceAccountName) checkName(c, "spec.serviceAccountName", spec.serviceAccountName);
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    checkQualifiedKey(c, "spec.nodeSelector", k);
    if (!labelValue.test(v) || v.length > 63) c.invalid("spec.nodeSelector", v, labelMsg);
  }
  return c.list;
}

export function checkSecret(secret) {
  const c = new Causes();
  checkMetadata(c, secret.metadata ?? {});
  let size = 0;
  for (const part of ["data", "stringData"]) {
    for (const [k, v] of Object.entries(secret[part] ?? {})) {
      if (!configKey.test(k)) c.invalid(`${part}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
      size += String(v).length;
    }
  }
  if (size > 1024 * 1024) c.tooLong("data", "", 1024 * 1024);
  return c.list;
}

export function checkConfigMap(cm) {
  const c = new Causes();
  checkMetadata(c, cm.metadata ?? {});
  for (const k of Object.keys({ ...cm.data, ...cm.binaryData })) {
    if (!configKey.test(k)) c.invalid(`data[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
  }
  return c.list;
}

export function checkPvc(pvc) {
  const c = new Causes();
  checkMetadata(c, pvc.metadata ?? {});
  const spec = pvc.spec ?? {};
  if (!spec.accessModes || spec.accessModes.length === 0) c.required("spec.accessModes", "at least 1 access mode is required");
  const allowed = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
  (spec.accessModes ?? []).forEach((m, i) => {
    if (!allowed.includes(m)) c.add("FieldValueNotSupported", `spec.accessModes[${i}]`, `Unsupported value: ${JSON.stringify(m)}: supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`);
  });
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) c.required("spec.resources[storage]");
  else if (!(parseQuantity(storage) > 0)) c.invalid("spec.resources[storage]", storage, "must be greater than zero");
  return c.list;
}

export function checkNamespaced(obj) {
  const c = new Causes();
  checkMetadata(c, obj.metadata ?? {});
  return c.list;
}

export function checkNamespace(ns) {
  const c = new Causes();
  checkMetadata(c, ns.metadata ?? {}, { label: true });
  return c.list;
}
