// Each injected fault, seen the way the executor will see it: through pod
// status, watch events, 410 Gone after a restart, refused connections.
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { Fake, pythonPod, waitFor } from "./test_support.mjs";

const ns = "/api/v1/namespaces/default";
let fake;
before(async () => {
  fake = await Fake.start();
  await fake.control("images", { image: "python:3.11" });
});
after(async () => {
  assert.equal(await fake.stop(), 0);
});

const forever = "import time\nprint('up', flush=True)\nwhile True: time.sleep(0.05)";
const waitingReason = async (name) => (await fake.pod(name))?.status.containerStatuses?.[0]?.state.waiting?.reason;

test("an unknown image is ErrImagePull then ImagePullBackOff, and the pod stays Pending", async () => {
  await fake.createPod({ restartPolicy: "Never", containers: [{ name: "task", image: "leoflow/never-built:1" }] }, { name: "nopull" });
  const seen = new Set();
  await waitFor(async () => {
    seen.add(await waitingReason("nopull"));
    return seen.has("ErrImagePull") && seen.has("ImagePullBackOff");
  }, { interval: 10, message: "both pull reasons" });
  assert.equal((await fake.pod("nopull")).status.phase, "Pending");
  const log = await fake.get(`${ns}/pods/nopull/log`);
  assert.equal(log.status, 400);
  assert.match(log.body.message, /is waiting to start: trying and failing to pull image/);
});

test("a pull failure injected on a known image, then cleared: the pod starts", async () => {
  await fake.control("faults/image-pull", { image: "python:3.11", message: "registry down" });
  await fake.createPod(pythonPod("print('pulled')"), { name: "pullfault" });
  await waitFor(async () => ["ErrImagePull", "ImagePullBackOff"].includes(await waitingReason("pullfault")), { message: "pull failing" });
  assert.match((await fake.pod("pullfault")).status.containerStatuses[0].state.waiting.message, /registry down/);
  await fake.control("faults/image-pull", { image: "python:3.11", clear: true });
  await fake.waitPhase("pullfault", "Succeeded");
});

test("crash-loop: with OnFailure the restart count grows in CrashLoopBackOff; with Never the pod fails", async () => {
  await fake.control("faults/crash-loop", { labelSelector: "crash=yes" });
  try {
    await fake.createPod({ ...pythonPod(forever), restartPolicy: "OnFailure" }, { name: "loops", labels: { crash: "yes" } });
    await waitFor(async () => {
      const s = (await fake.pod("loops"))?.status.containerStatuses?.[0];
      return s?.restartCount >= 3 && s.state.waiting?.reason === "CrashLoopBackOff" ? s : false;
    }, { message: "CrashLoopBackOff with restarts" });
    const pod = await fake.pod("loops");
    assert.equal(pod.status.phase, "Running");
    assert.equal(pod.status.containerStatuses[0].lastState.terminated.exitCode, 1);
    await fake.createPod(pythonPod(forever), { name: "crash-never", labels: { crash: "yes" } });
    const failed = await fake.waitPhase("crash-never", "Failed");
    assert.equal(failed.status.containerStatuses[0].restartCount, 0);
  } finally {
    await fake.request("DELETE", "/_fake/faults/crash-loop");
  }
});

test("evicting a running pod fails it with reason Evicted", async () => {
  await fake.createPod(pythonPod(forever), { name: "evictme" });
  await fake.waitPhase("evictme", "Running");
  await fake.control("faults/evict", { namespace: "default", name: "evictme" });
  const pod = await fake.waitPhase("evictme", "Failed");
  assert.equal(pod.status.reason, "Evicted");
  assert.match(pod.status.message, /low on resource/);
  assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 137);
});

test("deleted by someone else: a watcher sees DELETED", async () => {
  await fake.createPod(pythonPod(forever), { name: "victim" });
  await fake.waitPhase("victim", "Running");
  const rv = (await fake.get(`${ns}/pods`)).body.metadata.resourceVersion;
  const w = fake.watch(`${ns}/pods?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dvictim`);
  await fake.control("faults/delete-pod", { namespace: "default", name: "victim", grace_period_seconds: 1 });
  await waitFor(() => w.events().some((e) => e.type === "DELETED"), { message: "DELETED" });
  const types = w.events().map((e) => e.type);
  assert.equal(types[0], "MODIFIED", "Terminating first");
  assert.ok(w.events()[0].object.metadata.deletionTimestamp);
  w.abort();
});

test("an API server restart drops the watch; the old resourceVersion is 410 and a re-list recovers", async () => {
  await fake.createPod(pythonPod("print(1)"), { name: "before-restart" });
  const list = await fake.get(`${ns}/pods`);
  const rv = list.body.metadata.resourceVersion;
  const w = fake.watch(`${ns}/pods?watch=true&resourceVersion=${rv}`);
  await waitFor(() => w.status === 200, { message: "watch open" });
  await fake.control("faults/restart-apiserver", {});
  await w.done;
  assert.ok(w.ended, "the watch connection was dropped");
  const again = fake.watch(`${ns}/pods?watch=true&resourceVersion=${rv}`);
  await again.done;
  assert.equal(again.events()[0].type, "ERROR");
  assert.equal(again.events()[0].object.code, 410);
  const relist = await fake.get(`${ns}/pods`);
  assert.equal(relist.status, 200);
  assert.ok(Number(relist.body.metadata.resourceVersion) > Number(rv));
  const fresh = fake.watch(`${ns}/pods?watch=true&resourceVersion=${relist.body.metadata.resourceVersion}`);
  await fake.createPod(pythonPod("print(2)"), { name: "after-restart" });
  await waitFor(() => fresh.events().some((e) => e.type === "ADDED" && e.object.metadata.name === "after-restart"), { message: "events after re-list" });
  fresh.abort();
});

test("refused connections for a while, then the server answers again", async () => {
  await fake.control("faults/refuse-connections", { ms: 300 });
  const tryOnce = () => new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port: fake.ready.port, path: "/version", ca: fake.ca, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", (e) => resolve(e.code));
    req.end();
  });
  await waitFor(async () => (await tryOnce()) === "ECONNREFUSED", { interval: 5, message: "refused" });
  await waitFor(async () => (await tryOnce()) === 200, { message: "listening again" });
});

test("a lost node: pods go Unknown with NodeLost, then are deleted; new pods wait until it is back", async () => {
  await fake.createPod(pythonPod(forever), { name: "on-lost-node" });
  await fake.waitPhase("on-lost-node", "Running");
  const rv = (await fake.get(`${ns}/pods`)).body.metadata.resourceVersion;
  const w = fake.watch(`${ns}/pods?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Don-lost-node`);
  await fake.control("faults/node-lost", { delete_after_ms: 300 });
  const unknown = await fake.waitPhase("on-lost-node", "Unknown");
  assert.equal(unknown.status.reason, "NodeLost");
  await waitFor(() => w.events().some((e) => e.type === "DELETED"), { message: "pod garbage-collected" });
  w.abort();
  const node = (await fake.get("/api/v1/nodes/fake-node")).body;
  assert.equal(node.status.conditions[0].status, "Unknown");
  await fake.createPod(pythonPod("print('later')"), { name: "waits-for-node" });
  await waitFor(async () => (await fake.pod("waits-for-node"))?.status.conditions?.[0]?.reason === "Unschedulable", { message: "Unschedulable" });
  await fake.control("faults/node-restore", {});
  await fake.waitPhase("waits-for-node", "Succeeded");
});
