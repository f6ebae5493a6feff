// Label selectors (=, ==, !=, in, notin, exists, !exists) and field
// selectors (=, ==, != over the fields each resource supports), parsed the way
// apimachinery parses them; a bad selector is a 400.
import { badRequest } from "./status.mjs";

// Splits on commas that are not inside parentheses.
function splitTerms(text) {
  const out = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

const key = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const value = String.raw`[-A-Za-z0-9_.]*`;

export function parseLabelSelector(text) {
  if (!text) return () => true;
  const reqs = splitTerms(text).map((term) => {
    let m;
    if ((m = new RegExp(`^(${key})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(term))) {
      const values = m[3].split(",").map((v) => v.trim());
      if (values.some((v) => !new RegExp(`^${value}$`).test(v))) throw badRequest(`unable to parse requirement: invalid label value in ${term}`);
      return m[2] === "in" ? (l) => values.includes(l[m[1]]) : (l) => !values.includes(l[m[1]]);
    }
    if ((m = new RegExp(`^(${key})\\s*(==|=|!=)\\s*(${value})$`).exec(term))) {
      return m[2] === "!=" ? (l) => l[m[1]] !== m[3] : (l) => l[m[1]] === m[3];
    }
    if ((m = new RegExp(`^!\\s*(${key})$`).exec(term))) return (l) => !(m[1] in l);
    if ((m = new RegExp(`^(${key})$`).exec(term))) return (l) => m[1] in l;
    throw badRequest(`unable to parse requirement: found '${term}', expected: identifier, '!', 'in', 'notin', '=', '==', '!='`);
  });
  return (labels = {}) => reqs.every((r) => r(labels));
}

// The field selectors each resource supports besides metadata.name/namespace.
const fieldsByResource = {
  pods: {
    "spec.nodeName": (o) => o.spec?.nodeName ?? "",
    "spec.restartPolicy": (o) => o.spec?.restartPolicy ?? "",
    "spec.schedulerName": (o) => o.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (o) => o.spec?.serviceAccountName ?? "",
    "status.phase": (o) => o.status?.phase ?? "",
    "status.podIP": (o) => o.status?.podIP ?? "",
  },
  secrets: { type: (o) => o.type ?? "" },
  namespaces: { "status.phase": (o) => o.status?.phase ?? "" },
};

export function parseFieldSelector(resource, text) {
  if (!text) return () => true;
  const fields = {
    "metadata.name": (o) => o.metadata.name,
    "metadata.namespace": (o) => o.metadata.namespace ?? "",
    ...(fieldsByResource[resource] ?? {}),
  };
  const reqs = splitTerms(text).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const get = fields[m[1]];
    if (!get) throw badRequest(`field label not supported: ${m[1]}`);
    return m[2] === "!=" ? (o) => get(o) !== m[3] : (o) => get(o) === m[3];
  });
  return (obj) => reqs.every((r) => r(obj));
}

// One predicate for both selectors of a request.
export function selectorFor(resource, query) {
  const labels = parseLabelSelector(query.get("labelSelector"));
  const fields = parseFieldSelector(resource, query.get("fieldSelector"));
  return (obj) => labels(obj.metadata.labels ?? {}) && fields(obj);
}
