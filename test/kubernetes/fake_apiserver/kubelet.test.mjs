// The fake kubelet running real processes: a python3 pod to Succeeded with
// its log, follow=true streaming, env from Secrets and the downward API,
// /staging kept across two pods of one claim, image file trees, deadlines,
// graceful deletion with SIGTERM, in whichever path mode the machine allows
// and in rewrite mode too.
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Fake, pythonPod, tempDir, waitFor } from "./test_support.mjs";

const ns = "/api/v1/namespaces/default";
const claim = (name) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });
const stagingVolume = (claimName) => ({
  volumes: [{ name: "staging", persistentVolumeClaim: { claimName } }],
  container: { volumeMounts: [{ name: "staging", mountPath: "/staging" }], env: [{ name: "LEOFLOW_STAGING_DIR", value: "/staging" }] },
});

for (const mode of ["auto", "rewrite"]) {
  describe(`kubelet (path mode ${mode})`, () => {
    let fake;
    let tools;
    before(async () => {
      fake = await Fake.start({ args: ["--path-mode", mode] });
      tools = tempDir("k8sfake-image-");
      writeFileSync(join(tools, "hello.py"), "import sys\nprint('hello from the image', sys.argv[1])\n");
      await fake.control("images", { image: "python:3.11", env: { PYTHONUNBUFFERED: "1" } });
      await fake.control("images", { image: "registry.local/leoflow/task:abc123", path_map: { "/opt/leoflow": tools }, env: { IMAGE_VAR: "from-image" }, workingDir: "/opt/leoflow" });
    });
    after(async () => {
      assert.equal(await fake.stop(), 0);
    });

    test("a python3 pod goes Pending -> Running -> Succeeded and its log has what it printed", async () => {
      const w = fake.watch(`${ns}/pods?watch=true&fieldSelector=metadata.name%3Dhello`);
      await fake.createPod(pythonPod("import sys; print('hello'); print('to stderr', file=sys.stderr)"), { name: "hello" });
      const pod = await fake.waitPhase("hello", "Succeeded");
      const phases = [];
      await waitFor(() => {
        for (const e of w.events()) if (phases.at(-1) !== e.object.status?.phase) phases.push(e.object.status?.phase);
        return phases.includes("Succeeded");
      });
      assert.deepEqual(phases.filter((p, i) => phases.indexOf(p) === i), ["Pending", "Running", "Succeeded"]);
      w.abort();
      assert.equal(pod.spec.nodeName, "fake-node");
      const t = pod.status.containerStatuses[0].state.terminated;
      assert.equal(t.exitCode, 0);
      assert.equal(t.reason, "Completed");
      assert.ok(t.startedAt && t.finishedAt);
      assert.equal(pod.status.podIP, "127.0.0.1");
      assert.ok(pod.status.conditions.some((c) => c.type === "PodScheduled" && c.status === "True"));
      const log = await fake.get(`${ns}/pods/hello/log`);
      assert.equal(log.body.split("\n").filter(Boolean).sort().join("|"), "hello|to stderr");
      const ts = await fake.get(`${ns}/pods/hello/log?timestamps=true`);
      assert.match(ts.body, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (hello|to stderr)\n/);
      const first = ts.body.split("\n")[0].split(" ")[0];
      const since = await fake.get(`${ns}/pods/hello/log?sinceTime=${encodeURIComponent(new Date(Date.parse(first) + 60_000).toISOString())}`);
      assert.equal(since.body, "", "sinceTime after every line leaves nothing");
    });

    test("a failing command ends Failed with its exit code and the termination message", async () => {
      await fake.createPod(pythonPod("import sys; open('/dev/termination-log','w').write('bad input'); sys.exit(3)"), { name: "fails" });
      const pod = await fake.waitPhase("fails", "Failed");
      const t = pod.status.containerStatuses[0].state.terminated;
      assert.equal(t.exitCode, 3);
      assert.equal(t.reason, "Error");
      assert.equal(t.message, "bad input");
    });

    test("a command not in PATH is a StartError", async () => {
      await fake.createPod({ restartPolicy: "Never", containers: [{ name: "task", image: "python:3.11", command: ["no-such-binary-here"] }] }, { name: "noexec" });
      const pod = await fake.waitPhase("noexec", "Failed");
      assert.equal(pod.status.containerStatuses[0].state.terminated.reason, "StartError");
      assert.match(pod.status.containerStatuses[0].state.terminated.message, /executable file not found/);
    });

    test("follow=true streams lines while the container runs", async () => {
      const gate = tempDir("k8sfake-gate-");
      await fake.control("images", { image: "gate:1", path_map: { "/gate": gate } });
      const src = "import os,time\nprint('first', flush=True)\nwhile not os.path.exists('/gate/go'): time.sleep(0.02)\nprint('second', flush=True)\n";
      await fake.createPod({ restartPolicy: "Never", containers: [{ name: "task", image: "gate:1", command: ["python3", "-c", src] }] }, { name: "follow" });
      await fake.waitPhase("follow", "Running");
      const s = fake.stream(`${ns}/pods/follow/log?follow=true`);
      await waitFor(() => s.lines.includes("first"), { message: "first line while running" });
      assert.ok(!s.ended, "the stream stays open while the container runs");
      assert.ok(!s.lines.includes("second"));
      writeFileSync(join(gate, "go"), "");
      await s.done;
      assert.deepEqual(s.lines, ["first", "second"]);
    });

    test("env from a Secret (envFrom and secretKeyRef), the downward API, $(VAR) and the image's env", async () => {
      await fake.post(`${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "conns" }, stringData: { AIRFLOW_CONN_DB: "postgres://u:p@h/db", token: "t0k" } });
      const src = "import os,json; print(json.dumps({k: os.environ.get(k) for k in ['AIRFLOW_CONN_DB','TOKEN','POD','NS','DAG','GREETING','IMAGE_VAR','KUBERNETES_SERVICE_HOST']}))";
      await fake.createPod({
        restartPolicy: "Never",
        containers: [{
          name: "task",
          image: "registry.local/leoflow/task:abc123",
          command: ["python3", "-c", src],
          envFrom: [{ secretRef: { name: "conns" } }],
          env: [
            { name: "TOKEN", valueFrom: { secretKeyRef: { name: "conns", key: "token" } } },
            { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            { name: "DAG", valueFrom: { fieldRef: { fieldPath: "metadata.labels['leoflow.io/dag-id']" } } },
            { name: "GREETING", value: "hi $(POD)" },
          ],
        }],
      }, { name: "envs", labels: { "leoflow.io/dag-id": "etl" } });
      await fake.waitPhase("envs", "Succeeded");
      const got = JSON.parse((await fake.get(`${ns}/pods/envs/log`)).body);
      assert.deepEqual(got, { AIRFLOW_CONN_DB: "postgres://u:p@h/db", TOKEN: "t0k", POD: "envs", NS: "default", DAG: "etl", GREETING: "hi envs", IMAGE_VAR: "from-image", KUBERNETES_SERVICE_HOST: "127.0.0.1" });
      const received = (await fake.get("/_fake/received?resource=pods&method=POST")).body.requests;
      const posted = received.find((r) => JSON.parse(r.body).metadata?.name === "envs");
      assert.ok(posted, "the posted pod spec is recorded");
      assert.ok(!posted.body.includes("postgres://u:p@h/db") && !posted.body.includes("t0k"), "no secret value in the pod spec");
    });

    test("a pod waits in CreateContainerConfigError for a missing Secret, then runs once it exists", async () => {
      await fake.createPod(pythonPod("import os; print(os.environ['X'])", { container: { env: [{ name: "X", valueFrom: { secretKeyRef: { name: "late", key: "x" } } }] } }), { name: "waits" });
      await waitFor(async () => (await fake.pod("waits"))?.status.containerStatuses?.[0]?.state.waiting?.reason === "CreateContainerConfigError", { message: "CreateContainerConfigError" });
      assert.equal((await fake.pod("waits")).status.phase, "Pending");
      await fake.post(`${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "late" }, stringData: { x: "arrived" } });
      await fake.waitPhase("waits", "Succeeded");
      assert.equal((await fake.get(`${ns}/pods/waits/log`)).body, "arrived\n");
    });

    test("/staging on a claim persists across two pods, the image's files are at their paths", async () => {
      await fake.post(`${ns}/persistentvolumeclaims`, claim("staging-run1"));
      const write = "import os; d=os.environ['LEOFLOW_STAGING_DIR']; open(d+'/out.txt','w').write('from task one'); print(os.getcwd())";
      await fake.createPod(pythonPod(write, stagingVolume("staging-run1")), { name: "writer" });
      await fake.waitPhase("writer", "Succeeded");
      assert.equal((await fake.get(`${ns}/persistentvolumeclaims/staging-run1`)).body.status.phase, "Bound");
      const read = { restartPolicy: "Never", containers: [{ name: "task", image: "registry.local/leoflow/task:abc123", command: ["sh", "-c", "cat /staging/out.txt; echo; python3 hello.py $(LEOFLOW_STAGING_DIR)"], volumeMounts: [{ name: "staging", mountPath: "/staging" }], env: [{ name: "LEOFLOW_STAGING_DIR", value: "/staging" }] }], volumes: [{ name: "staging", persistentVolumeClaim: { claimName: "staging-run1" } }] };
      await fake.createPod(read, { name: "reader" });
      await fake.waitPhase("reader", "Succeeded");
      const out = (await fake.get(`${ns}/pods/reader/log`)).body.split("\n");
      assert.equal(out[0], "from task one");
      if (fake.ready.path_mode === "mount") assert.equal(out[1], "hello from the image /staging");
      else assert.match(out[1], /^hello from the image \/.+/, "rewrite mode hands the program the local folder");
    });

    test("a claim in use stays Terminating until its pod is gone, then its folder goes", async () => {
      await fake.post(`${ns}/persistentvolumeclaims`, claim("staging-run2"));
      const gate = tempDir("k8sfake-gate-");
      await fake.control("images", { image: "gate:2", path_map: { "/gate": gate } });
      const spec = { restartPolicy: "Never", containers: [{ name: "task", image: "gate:2", command: ["python3", "-c", "import os,time\nopen('/staging/f','w').write('x')\nwhile not os.path.exists('/gate/go'): time.sleep(0.02)"], volumeMounts: [{ name: "s", mountPath: "/staging" }] }], volumes: [{ name: "s", persistentVolumeClaim: { claimName: "staging-run2" } }] };
      await fake.createPod(spec, { name: "holder" });
      await fake.waitPhase("holder", "Running");
      const volumes = join(fake.dir, "volumes");
      const pvc = (await fake.get(`${ns}/persistentvolumeclaims/staging-run2`)).body;
      const folder = join(volumes, `pvc-${pvc.metadata.uid}`);
      await waitFor(() => existsSync(join(folder, "f")), { message: "the claim's folder has the file" });
      await fake.request("DELETE", `${ns}/persistentvolumeclaims/staging-run2`);
      const terminating = (await fake.get(`${ns}/persistentvolumeclaims/staging-run2`)).body;
      assert.ok(terminating.metadata.deletionTimestamp, "Terminating while in use");
      writeFileSync(join(gate, "go"), "");
      await fake.waitPhase("holder", "Succeeded");
      await waitFor(async () => (await fake.get(`${ns}/persistentvolumeclaims/staging-run2`)).status === 404, { message: "claim removed" });
      assert.ok(!readdirSync(volumes).includes(`pvc-${pvc.metadata.uid}`), "the folder went with the claim");
    });

    test("activeDeadlineSeconds fails the pod with DeadlineExceeded", async () => {
      await fake.createPod(pythonPod("import time; time.sleep(600)", { activeDeadlineSeconds: 1, terminationGracePeriodSeconds: 1 }), { name: "deadline" });
      const pod = await fake.waitPhase("deadline", "Failed");
      assert.equal(pod.status.reason, "DeadlineExceeded");
      assert.match(pod.status.message, /longer than the specified deadline/);
    });

    test("delete sends SIGTERM, the pod is Terminating, then gone; its per-try Secret goes with it", async () => {
      const src = "import signal,sys,time\ndef bye(*a):\n    print('got SIGTERM', flush=True); sys.exit(0)\nsignal.signal(signal.SIGTERM, bye)\nprint('ready', flush=True)\nwhile True: time.sleep(0.05)\n";
      const pod = await fake.createPod(pythonPod(src), { name: "graceful" });
      await fake.post(`${ns}/secrets`, { apiVersion: "v1", kind: "Secret", metadata: { name: "graceful-env", ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "graceful", uid: pod.metadata.uid }] }, stringData: { a: "b" } });
      await waitFor(async () => (await fake.get(`${ns}/pods/graceful/log`)).body === "ready\n", { message: "handler installed" });
      const follow = fake.stream(`${ns}/pods/graceful/log?follow=true`);
      const w = fake.watch(`${ns}/pods?watch=true&fieldSelector=metadata.name%3Dgraceful&resourceVersion=${(await fake.get(`${ns}/pods`)).body.metadata.resourceVersion}`);
      const del = await fake.request("DELETE", `${ns}/pods/graceful`, { body: { gracePeriodSeconds: 30 } });
      assert.equal(del.status, 200);
      assert.ok(del.body.metadata.deletionTimestamp);
      assert.equal(del.body.metadata.deletionGracePeriodSeconds, 30);
      await waitFor(() => w.events().some((e) => e.type === "DELETED"), { message: "DELETED event" });
      await follow.done;
      assert.deepEqual(follow.lines, ["ready", "got SIGTERM"]);
      assert.equal((await fake.get(`${ns}/pods/graceful`)).status, 404);
      await waitFor(async () => (await fake.get(`${ns}/secrets/graceful-env`)).status === 404, { message: "owned Secret collected" });
      w.abort();
    });

    test("restartPolicy OnFailure restarts a failing container and keeps the previous log", async () => {
      const counter = tempDir("k8sfake-count-");
      await fake.control("images", { image: "count:1", path_map: { "/count": counter } });
      const src = "import os\nn=len(os.listdir('/count'))\nopen(f'/count/{n}','w').close()\nprint('try', n, flush=True)\nraise SystemExit(0 if n >= 2 else 1)\n";
      await fake.createPod({ restartPolicy: "OnFailure", containers: [{ name: "task", image: "count:1", command: ["python3", "-c", src] }] }, { name: "retry" });
      const pod = await fake.waitPhase("retry", "Succeeded");
      assert.equal(pod.status.containerStatuses[0].restartCount, 2);
      assert.equal(pod.status.containerStatuses[0].lastState.terminated.exitCode, 1);
      assert.equal((await fake.get(`${ns}/pods/retry/log`)).body, "try 2\n");
      assert.equal((await fake.get(`${ns}/pods/retry/log?previous=true`)).body, "try 1\n");
    });

    test("the service account token lets a pod call the API in-cluster", async () => {
      const src = [
        "import json,os,ssl,urllib.request",
        "d='/var/run/secrets/kubernetes.io/serviceaccount'",
        "ctx=ssl.create_default_context(cafile=d+'/ca.crt')",
        "url='https://'+os.environ['KUBERNETES_SERVICE_HOST']+':'+os.environ['KUBERNETES_SERVICE_PORT']+'/api/v1/namespaces/'+open(d+'/namespace').read()+'/pods/'+os.environ['HOSTNAME']",
        "req=urllib.request.Request(url, headers={'Authorization':'Bearer '+open(d+'/token').read()})",
        "print(json.load(urllib.request.urlopen(req, context=ctx))['status']['phase'])",
      ].join("\n");
      await fake.createPod(pythonPod(src), { name: "incluster" });
      await fake.waitPhase("incluster", "Succeeded");
      assert.equal((await fake.get(`${ns}/pods/incluster/log`)).body, "Running\n");
    });
  });
}

test("an unwritable working directory in rewrite mode is reported, not crashed on", async () => {
  const fake = await Fake.start({ args: ["--path-mode", "rewrite"] });
  try {
    await fake.control("images", { image: "python:3.11" });
    await fake.createPod(pythonPod("print(1)", { container: { workingDir: "/definitely/not/here" } }), { name: "wd" });
    const pod = await fake.waitPhase("wd", "Failed");
    assert.equal(pod.status.containerStatuses[0].state.terminated.reason, "StartError");
  } finally {
    assert.equal(await fake.stop(), 0);
  }
});
