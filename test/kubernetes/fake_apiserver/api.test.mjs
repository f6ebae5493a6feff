// The fake API server against what clients depend on: authentication, the
// Status errors (401/404/409/400/422), selectors, paging, watches with
// bookmarks and 410 Gone, patches and preconditions, the kubeconfig.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Fake, tempDir, waitFor } from "./test_support.mjs";

let fake;
before(async () => {
  fake = await Fake.start({ args: ["--history", "50"] });
});
after(async () => {
  assert.equal(await fake.stop(), 0);
});

const secret = (name, extra = {}) => ({ apiVersion: "v1", kind: "Secret", metadata: { name, ...extra.metadata }, stringData: { password: "s3cret" }, ...extra.body });
const ns = "/api/v1/namespaces/default";

describe("authentication", () => {
  test("a bad token, no credentials at all and a foreign client certificate are 401 Status objects", async () => {
    for (const opts of [{ token: "not-a-token" }, { token: null }]) {
      const r = await fake.request("GET", `${ns}/pods`, opts);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    }
    const other = tempDir("k8sfake-otherca-");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(other, "k"), "-out", join(other, "c"), "-days", "1", "-subj", "/CN=intruder"], { stdio: "ignore" });
    const r = await fake.request("GET", `${ns}/pods`, { token: null, cert: { cert: readFileSync(join(other, "c")), key: readFileSync(join(other, "k")) } });
    assert.equal(r.status, 401);
  });

  test("a client certificate signed by the cluster CA authenticates as its CN", async () => {
    const cert = { cert: readFileSync(fake.ready.client_cert_file), key: readFileSync(fake.ready.client_key_file) };
    const r = await fake.request("POST", `${ns}/configmaps`, { token: null, cert, body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "by-cert" }, data: { a: "1" } } });
    assert.equal(r.status, 201);
    const received = await fake.request("GET", "/_fake/received?resource=configmaps");
    assert.equal(received.body.requests.at(-1).user, "leoflow-client");
  });

  test("the control API refuses anyone but the admin token", async () => {
    await fake.control("tokens", { token: "user-token", user: "someone" });
    const r = await fake.request("POST", "/_fake/faults/node-restore", { token: "user-token", body: {} });
    assert.equal(r.status, 403);
    assert.equal((await fake.request("GET", `${ns}/pods`, { token: "user-token" })).status, 200);
  });

  test("the HTTPS certificate only verifies with the cluster CA", async () => {
    const { request } = await import("node:https");
    const err = await new Promise((resolve) => {
      const req = request({ host: "127.0.0.1", port: fake.ready.port, path: "/version", agent: false }, () => resolve(null));
      req.on("error", resolve);
      req.end();
    });
    assert.match(String(err?.code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});

describe("kubeconfig and discovery", () => {
  test("the kubeconfig names the cluster, both users and the current context", () => {
    const text = readFileSync(fake.ready.kubeconfig, "utf8");
    assert.match(text, /^current-context: fake$/m);
    assert.match(text, new RegExp(`server: "${fake.ready.url}"`));
    assert.match(text, new RegExp(`token: "${fake.ready.token}"`));
    const ca = /certificate-authority-data: "([^"]+)"/.exec(text)[1];
    assert.equal(Buffer.from(ca, "base64").toString(), readFileSync(fake.ready.ca_file, "utf8"));
    assert.match(text, /client-certificate-data: "[A-Za-z0-9+/=]+"/);
  });

  test("discovery lists the core resources and /version answers anonymously", async () => {
    const r = await fake.get("/api/v1");
    const names = r.body.resources.map((x) => x.name);
    for (const n of ["pods", "pods/log", "secrets", "persistentvolumeclaims", "namespaces", "serviceaccounts"]) assert.ok(names.includes(n), n);
    assert.equal((await fake.request("GET", "/version", { token: null })).body.major, "1");
    assert.equal((await fake.get("/api/v1/namespaces/default/serviceaccounts/default")).status, 200);
    assert.equal((await fake.get("/api/v1/namespaces/default")).body.status.phase, "Active");
  });
});

describe("errors", () => {
  test("create, get, 409 on a duplicate name, 404 after delete", async () => {
    const created = await fake.post(`${ns}/secrets`, secret("db"));
    assert.equal(created.status, 201);
    assert.match(created.body.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.ok(Number(created.body.metadata.resourceVersion) > 0);
    assert.equal(created.body.data.password, Buffer.from("s3cret").toString("base64"));
    assert.equal(created.body.stringData, undefined);
    const dup = await fake.post(`${ns}/secrets`, secret("db"));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.reason, "AlreadyExists");
    assert.equal(dup.body.message, 'secrets "db" already exists');
    const del = await fake.request("DELETE", `${ns}/secrets/db`);
    assert.equal(del.status, 200);
    assert.equal(del.body.status, "Success");
    const gone = await fake.get(`${ns}/secrets/db`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.reason, "NotFound");
    assert.equal(gone.body.message, 'secrets "db" not found');
  });

  test("a misspelt field is refused by strict field validation", async () => {
    const r = await fake.post(`${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "typo" }, spec: { restartPolicyy: "Never", containers: [{ name: "task", image: "python:3.11", imagePullPolice: "Always" }] } });
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, "BadRequest");
    assert.match(r.body.message, /strict decoding error: unknown field "spec.containers\[0\].imagePullPolice", unknown field "spec.restartPolicyy"|strict decoding error: unknown field "spec.restartPolicyy", unknown field "spec.containers\[0\].imagePullPolice"/);
    assert.equal((await fake.get(`${ns}/pods/typo`)).status, 404);
  });

  test("fieldValidation=Warn drops the unknown field and says so in a Warning header", async () => {
    const r = await fake.post(`${ns}/configmaps?fieldValidation=Warn`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "warned" }, dataa: { x: "1" } });
    assert.equal(r.status, 201);
    assert.match(r.headers.warning, /unknown field \\"dataa\\"/);
    assert.equal(r.body.dataa, undefined);
  });

  test("invalid objects are 422 Invalid with every cause", async () => {
    const r = await fake.post(`${ns}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "Bad_Name", labels: { "leoflow.io/dag-id": "x".repeat(64) } },
      spec: { restartPolicy: "Sometimes", containers: [{ name: "task" }] },
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, "Invalid");
    const fields = r.body.details.causes.map((c) => `${c.field}:${c.reason}`).sort();
    assert.deepEqual(fields, [
      "metadata.labels:FieldValueInvalid",
      "metadata.name:FieldValueInvalid",
      "spec.containers[0].image:FieldValueRequired",
      "spec.restartPolicy:FieldValueNotSupported",
    ]);
    assert.match(r.body.message, /^Pod "Bad_Name" is invalid: \[/);
  });

  test("pod names longer than 63 characters, bad quantities and wrong types are refused", async () => {
    const long = await fake.post(`${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "a".repeat(64) }, spec: { containers: [{ name: "task", image: "x" }] } });
    assert.equal(long.status, 422);
    const qty = await fake.post(`${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "q" }, spec: { containers: [{ name: "task", image: "x", resources: { limits: { cpu: "1x" } } }] } });
    assert.equal(qty.status, 400);
    assert.match(qty.body.message, /quantities must match the regular expression/);
    const type = await fake.post(`${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "t" }, spec: { activeDeadlineSeconds: "ten", containers: [{ name: "task", image: "x" }] } });
    assert.equal(type.status, 400);
    assert.match(type.body.message, /cannot unmarshal string/);
    const pvc = await fake.post(`${ns}/persistentvolumeclaims`, { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "nosize" }, spec: { accessModes: ["ReadWriteOnce"] } });
    assert.equal(pvc.status, 422);
    assert.equal(pvc.body.details.causes[0].field, "spec.resources[storage]");
  });

  test("a pod naming a missing service account is forbidden; a missing namespace is 404", async () => {
    const r = await fake.post(`${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "nosa" }, spec: { serviceAccountName: "leoflow", containers: [{ name: "task", image: "x" }] } });
    assert.equal(r.status, 403);
    assert.match(r.body.message, /serviceaccount "leoflow" not found/);
    const n = await fake.post("/api/v1/namespaces/nowhere/secrets", secret("s"));
    assert.equal(n.status, 404);
    assert.equal(n.body.message, 'namespaces "nowhere" not found');
  });
});

describe("lists and selectors", () => {
  before(async () => {
    const mk = (name, labels) => fake.post(`${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data: {} });
    await mk("sel-a", { app: "leoflow", tier: "task", run: "1" });
    await mk("sel-b", { app: "leoflow", tier: "server" });
    await mk("sel-c", { app: "other" });
  });
  const names = async (query) => {
    const r = await fake.get(`${ns}/configmaps?${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items.map((i) => i.metadata.name).filter((n) => n.startsWith("sel-"));
  };

  test("label selectors =, !=, in, notin, exists, !exists", async () => {
    assert.deepEqual(await names("labelSelector=app%3Dleoflow"), ["sel-a", "sel-b"]);
    assert.deepEqual(await names("labelSelector=app%3Dleoflow,tier!%3Dtask"), ["sel-b"]);
    assert.deepEqual(await names(`labelSelector=${encodeURIComponent("tier in (task, server)")}`), ["sel-a", "sel-b"]);
    assert.deepEqual(await names(`labelSelector=${encodeURIComponent("app notin (leoflow)")}`), ["sel-c"]);
    assert.deepEqual(await names("labelSelector=run"), ["sel-a"]);
    assert.deepEqual(await names(`labelSelector=${encodeURIComponent("!tier,app")}`), ["sel-c"]);
    assert.equal((await fake.get(`${ns}/configmaps?labelSelector=${encodeURIComponent("a in (")}`)).status, 400);
  });

  test("field selectors on metadata.name and an unsupported field", async () => {
    assert.deepEqual(await names("fieldSelector=metadata.name%3Dsel-b"), ["sel-b"]);
    assert.deepEqual(await names("fieldSelector=metadata.name!%3Dsel-b"), ["sel-a", "sel-c"]);
    const bad = await fake.get(`${ns}/pods?fieldSelector=spec.bogus%3Dx`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, "field label not supported: spec.bogus");
  });

  test("paging with limit and continue returns one consistent list", async () => {
    const first = await fake.get(`${ns}/configmaps?limit=2`);
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.metadata.continue);
    await fake.post(`${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "zz-after-page-one" } });
    const rest = await fake.get(`${ns}/configmaps?limit=100&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    const all = [...first.body.items, ...rest.body.items].map((i) => i.metadata.name);
    assert.ok(!all.includes("zz-after-page-one"), "the continued list is the snapshot of the first page");
    assert.equal(rest.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
  });
});

describe("watch", () => {
  test("ADDED, MODIFIED and DELETED stream as JSON lines from a resourceVersion", async () => {
    const list = await fake.get(`${ns}/secrets`);
    const w = fake.watch(`${ns}/secrets?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    await fake.post(`${ns}/secrets`, secret("watched"));
    const patched = await fake.request("PATCH", `${ns}/secrets/watched`, { body: { metadata: { labels: { a: "b" } } }, contentType: "application/merge-patch+json" });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.metadata.labels.a, "b");
    await fake.request("DELETE", `${ns}/secrets/watched`);
    await waitFor(() => w.lines.length >= 3, { message: "three events" });
    const events = w.events();
    assert.deepEqual(events.map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], "resourceVersions grow");
    w.abort();
  });

  test("a watch without resourceVersion starts with the current objects; label changes move objects in and out", async () => {
    await fake.post(`${ns}/secrets`, secret("sel-w", { metadata: { labels: { watch: "yes" } } }));
    const w = fake.watch(`${ns}/secrets?watch=1&labelSelector=watch%3Dyes`);
    await waitFor(() => w.lines.length >= 1, { message: "initial ADDED" });
    assert.equal(w.events()[0].type, "ADDED");
    await fake.request("PATCH", `${ns}/secrets/sel-w`, { body: { metadata: { labels: { watch: "no" } } }, contentType: "application/merge-patch+json" });
    await waitFor(() => w.lines.length >= 2, { message: "leaving the selector" });
    assert.equal(w.events()[1].type, "DELETED");
    w.abort();
  });

  test("bookmarks arrive when asked and timeoutSeconds ends the stream", async () => {
    const w = fake.watch(`${ns}/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${(await fake.get(`${ns}/pods`)).body.metadata.resourceVersion}&timeoutSeconds=1`);
    await w.done;
    const bookmarks = w.events().filter((e) => e.type === "BOOKMARK");
    assert.ok(bookmarks.length >= 1);
    assert.equal(bookmarks[0].object.kind, "Pod");
    assert.match(bookmarks[0].object.metadata.resourceVersion, /^\d+$/);
  });

  test("a compacted resourceVersion is 410 Gone: an ERROR event on a watch, HTTP 410 on a list", async () => {
    const old = (await fake.get(`${ns}/configmaps`)).body.metadata.resourceVersion;
    const page = await fake.get(`${ns}/configmaps?limit=1`);
    for (let i = 0; i < 60; i++) await fake.post(`${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `churn-${i}` } });
    const w = fake.watch(`${ns}/configmaps?watch=true&resourceVersion=${old}`);
    await w.done;
    const [event] = w.events();
    assert.equal(event.type, "ERROR");
    assert.equal(event.object.code, 410);
    assert.equal(event.object.reason, "Expired");
    assert.match(event.object.message, /too old resource version/);
    const cont = await fake.get(`${ns}/configmaps?limit=1&continue=${encodeURIComponent(page.body.metadata.continue)}`);
    assert.equal(cont.status, 410);
    const exact = await fake.get(`${ns}/configmaps?resourceVersion=${old}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 410);
    const fresh = await fake.get(`${ns}/configmaps`);
    assert.equal(fresh.status, 200, "a new list works");
  });
});

describe("updates and deletes", () => {
  test("PUT with a stale resourceVersion is a 409 Conflict", async () => {
    const s = (await fake.post(`${ns}/secrets`, secret("put-me"))).body;
    const ok = await fake.request("PUT", `${ns}/secrets/put-me`, { body: { ...s, data: { password: Buffer.from("new").toString("base64") } } });
    assert.equal(ok.status, 200);
    const stale = await fake.request("PUT", `${ns}/secrets/put-me`, { body: s });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, "Conflict");
  });

  test("a pod's spec is immutable but its labels patch", async () => {
    await fake.post(`${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "patch-me" }, spec: { nodeSelector: { "kubernetes.io/hostname": "elsewhere" }, containers: [{ name: "task", image: "x" }] } });
    const labels = await fake.request("PATCH", `${ns}/pods/patch-me`, { body: { metadata: { labels: { done: "yes" }, annotations: { note: "n" } } }, contentType: "application/strategic-merge-patch+json" });
    assert.equal(labels.status, 200);
    assert.equal(labels.body.metadata.labels.done, "yes");
    const spec = await fake.request("PATCH", `${ns}/pods/patch-me`, { body: { spec: { restartPolicy: "Never" } }, contentType: "application/merge-patch+json" });
    assert.equal(spec.status, 422);
    assert.match(spec.body.message, /pod updates may not change fields/);
    const json = await fake.request("PATCH", `${ns}/pods/patch-me`, { body: [{ op: "replace", path: "/metadata/labels/done", value: "no" }], contentType: "application/json-patch+json" });
    assert.equal(json.body.metadata.labels.done, "no");
  });

  test("generateName, a delete precondition and ownerReferences garbage collection", async () => {
    const owner = (await fake.post(`${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "owner-" } })).body;
    assert.match(owner.metadata.name, /^owner-[a-z0-9]{5}$/);
    const dep = await fake.post(`${ns}/secrets`, secret("owned", { metadata: { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: owner.metadata.name, uid: owner.metadata.uid }] } }));
    assert.equal(dep.status, 201);
    const wrong = await fake.request("DELETE", `${ns}/configmaps/${owner.metadata.name}`, { body: { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } } });
    assert.equal(wrong.status, 409);
    const bad = await fake.request("DELETE", `${ns}/configmaps/${owner.metadata.name}`, { body: { gracePeriodSecond: 1 } });
    assert.equal(bad.status, 400, "DeleteOptions are schema-checked too");
    assert.equal((await fake.request("DELETE", `${ns}/configmaps/${owner.metadata.name}`, { body: { propagationPolicy: "Background" } })).status, 200);
    assert.equal((await fake.get(`${ns}/secrets/owned`)).status, 404, "the dependent went with its owner");
  });

  test("a claim is Pending until a pod uses it (WaitForFirstConsumer) and carries pvc-protection", async () => {
    const r = await fake.post(`${ns}/persistentvolumeclaims`, { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "claim-only" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
    assert.equal(r.status, 201);
    assert.equal(r.body.status.phase, "Pending");
    assert.equal(r.body.spec.storageClassName, "local-path");
    assert.deepEqual(r.body.metadata.finalizers, ["kubernetes.io/pvc-protection"]);
    const del = await fake.request("DELETE", `${ns}/persistentvolumeclaims/claim-only`);
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp);
    await waitFor(async () => (await fake.get(`${ns}/persistentvolumeclaims/claim-only`)).status === 404, { message: "unused claim removed" });
  });
});

test("a request body over 3 MiB is 413", async () => {
  const big = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { x: "y".repeat(3 * 1024 * 1024 + 10) } };
  const r = await fake.post(`${ns}/configmaps`, big).catch((e) => ({ status: "reset", e }));
  assert.ok(r.status === 413 || r.status === "reset", `got ${r.status}`);
  assert.equal((await fake.get("/version")).status, 200, "the server survives it");
});
