// Checks a received object against the published Kubernetes OpenAPI schema
// (kubernetes-models' validators, generated from it) and finds the fields the
// schema does not declare, as kube-apiserver's strict field validation does.
import { validate as validateConfigMap } from "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap";
import { validate as validateNamespace } from "kubernetes-models/_schemas/IoK8sApiCoreV1Namespace";
import { validate as validatePvc } from "kubernetes-models/_schemas/IoK8sApiCoreV1PersistentVolumeClaim";
import { validate as validatePod } from "kubernetes-models/_schemas/IoK8sApiCoreV1Pod";
import { validate as validateSecret } from "kubernetes-models/_schemas/IoK8sApiCoreV1Secret";
import { validate as validateServiceAccount } from "kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount";
import { validate as validateEviction } from "kubernetes-models/_schemas/IoK8sApiPolicyV1Eviction";
import { validate as validateDeleteOptions } from "@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1DeleteOptions";

const validators = {
  ConfigMap: validateConfigMap,
  Namespace: validateNamespace,
  PersistentVolumeClaim: validatePvc,
  Pod: validatePod,
  Secret: validateSecret,
  ServiceAccount: validateServiceAccount,
  Eviction: validateEviction,
  DeleteOptions: validateDeleteOptions,
};

// The generated validators read every property their schema declares (and
// enumerate the keys of maps), so watching what they touch through a Proxy
// tells which received keys the schema does not know.
class AccessLog {
  constructor() {
    this.records = new Map(); // target object -> { path, keys: Set, enumerated }
    this.proxies = new WeakMap();
  }

  wrap(value, path) {
    if (value === null || typeof value !== "object") return value;
    const cached = this.proxies.get(value);
    if (cached) return cached;
    const rec = { path, keys: new Set(), enumerated: false };
    this.records.set(value, rec);
    const log = this;
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== "string") return v;
        rec.keys.add(key);
        return Object.hasOwn(target, key) ? log.wrap(v, [...path, key]) : v;
      },
      has(target, key) {
        if (typeof key === "string") rec.keys.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        rec.enumerated = true;
        return Reflect.ownKeys(target);
      },
      getOwnPropertyDescriptor(target, key) {
        if (typeof key === "string") rec.keys.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
    });
    this.proxies.set(value, proxy);
    return proxy;
  }

  // Paths of keys no validator looked at. An object whose schema declares no
  // properties (free-form) is never probed at all and is left alone.
  unknownFields() {
    const out = [];
    for (const [target, rec] of this.records) {
      if (Array.isArray(target) || rec.enumerated || rec.keys.size === 0) continue;
      for (const key of Object.keys(target)) if (!rec.keys.has(key)) out.push([...rec.path, key]);
    }
    return out;
  }

  isMap(pathKey) {
    for (const rec of this.records.values()) if (rec.enumerated && rec.path.join("/") === pathKey) return true;
    return false;
  }
}

// apimachinery's field path form: spec.containers[0].resources.limits[cpu].
export function fieldPath(segments, isMap = () => false) {
  let out = "";
  segments.forEach((seg, i) => {
    const parent = segments.slice(0, i).join("/");
    if (/^\d+$/.test(seg) || isMap(parent)) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  });
  return out;
}

// Returns { unknown: [{segs, path}...], decode: [message...], invalid: [cause...] }:
// decode errors are what Go's JSON decoding would refuse (wrong type, a bad
// quantity), invalid ones what validation refuses (required, enum, pattern).
export function checkSchema(kind, object) {
  const validate = validators[kind];
  if (!validate) throw new Error(`no schema for ${kind}`);
  const log = new AccessLog();
  validate(log.wrap(object, []));
  const isMap = (p) => log.isMap(p);
  const unknown = log.unknownFields().map((segs) => ({ segs, path: fieldPath(segs, isMap) }));
  const byPath = new Map();
  for (const e of validate.errors ?? []) {
    const segs = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const key = segs.join("/");
    if (!byPath.has(key)) byPath.set(key, { segs, errors: [] });
    byPath.get(key).errors.push(e);
  }
  const decode = [];
  const invalid = [];
  for (const { segs, errors } of byPath.values()) {
    const field = fieldPath(segs, isMap);
    const keywords = new Set(errors.map((e) => e.keyword));
    const formats = errors.filter((e) => e.keyword === "format").map((e) => e.params.format);
    if (formats.includes("quantity")) {
      decode.push("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    } else if (formats.includes("byte")) {
      decode.push(`illegal base64 data at input byte 0 (field ${field})`);
    } else if (keywords.has("type") || keywords.has("oneOf") || keywords.has("anyOf")) {
      const want = errors.find((e) => e.keyword === "type")?.params.type ?? "the declared type";
      decode.push(`json: cannot unmarshal ${jsonType(valueAt(object, segs))} into Go struct field ${field} of type ${want}`);
    } else {
      for (const e of errors) {
        if (e.keyword === "required") {
          const missing = fieldPath([...segs, e.params.missingProperty], isMap);
          invalid.push({ reason: "FieldValueRequired", field: missing, message: "Required value" });
        } else if (e.keyword === "enum") {
          const value = valueAt(object, segs);
          const allowed = e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ");
          invalid.push({ reason: "FieldValueNotSupported", field, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed}` });
        } else {
          invalid.push({ reason: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(valueAt(object, segs))}: ${e.message}` });
        }
      }
    }
  }
  return { unknown, decode, invalid };
}

function valueAt(object, segs) {
  return segs.reduce((v, s) => (v == null ? v : v[s]), object);
}

function jsonType(v) {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  return typeof v === "object" ? "object" : typeof v;
}

// Removes the unknown fields checkSchema found (fieldValidation=Ignore/Warn).
export function dropFields(object, unknown) {
  for (const { segs } of unknown) {
    const parent = valueAt(object, segs.slice(0, -1));
    if (parent && typeof parent === "object") delete parent[segs.at(-1)];
  }
}

