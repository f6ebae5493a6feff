// The fake through other clients: the Python helper the executor's pytest
// suites use (a real python3 subprocess), and Debian's/the image's kubectl
// when it is installed (skipped, saying so, when it is not).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { Fake, pythonPod } from "./test_support.mjs";

const here = dirname(fileURLToPath(import.meta.url));

test("fake_cluster.py starts the fake, runs a pod, injects a fault and stops it cleanly", () => {
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(join(here, ".."))})
from fake_cluster import FakeCluster, FakeClusterError
with FakeCluster(extra_args=["--backoff-ms", "100"]) as c:
    c.register_image("python:3.11")
    c.api("POST", "/api/v1/namespaces/default/secrets", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "conn"}, "stringData": {"AIRFLOW_CONN_X": "hidden-value"}})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "py"}, "spec": {"restartPolicy": "Never",
           "containers": [{"name": "task", "image": "python:3.11", "command": ["python3", "-c", "import os; print(len(os.environ['AIRFLOW_CONN_X']))"],
                           "envFrom": [{"secretRef": {"name": "conn"}}]}]}}
    c.api("POST", "/api/v1/namespaces/default/pods", pod)
    done = c.wait_pod_phase("py", "Succeeded")
    log = c.api("GET", "/api/v1/namespaces/default/pods/py/log")
    try:
        c.api("POST", "/api/v1/namespaces/default/pods", pod)
        conflict = None
    except FakeClusterError as e:
        conflict = e.status
    c.fail_image_pull("python:3.11", "down")
    c.lose_node(delete_after_ms=100)
    secret_in_spec = any("hidden-value" in b for b in c.posted_pod_specs())
    print(json.dumps({"phase": done["status"]["phase"], "log": log, "conflict": conflict, "secret_in_spec": secret_in_spec,
                      "kubeconfig": open(c.kubeconfig).read().startswith("apiVersion: v1")}))
print(json.dumps({"exit": c.proc.returncode}))
`;
  const out = execFileSync("python3", ["-c", script], { encoding: "utf8", timeout: 120_000 }).trim().split("\n");
  assert.deepEqual(JSON.parse(out[0]), { phase: "Succeeded", log: "12\n", conflict: 409, secret_in_spec: false, kubeconfig: true });
  assert.deepEqual(JSON.parse(out[1]), { exit: 0 });
});

const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
const haveKubectl = kubectl.status === 0;

describe("kubectl against the fake", { skip: haveKubectl ? false : "kubectl is not installed here (apt-get install kubernetes-client brings Debian's)" }, () => {
  let fake;
  before(async () => {
    fake = await Fake.start();
    await fake.control("images", { image: "python:3.11" });
    await fake.createPod(pythonPod("print('from kubectl logs')"), { name: "kubectl-pod" });
    await fake.waitPhase("kubectl-pod", "Succeeded");
  });
  after(async () => {
    assert.equal(await fake.stop(), 0);
  });
  const run = (...args) => execFileSync("kubectl", ["--kubeconfig", fake.ready.kubeconfig, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, HOME: fake.dir } });

  test("get pods prints the pod as Completed", () => {
    const out = run("get", "pods");
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/m);
    assert.match(out, /^kubectl-pod\s+0\/1\s+Completed\s+0\s+\d+s/m);
  });

  test("get -o json, logs, and the client-certificate context", () => {
    const pod = JSON.parse(run("get", "pod", "kubectl-pod", "-o", "json"));
    assert.equal(pod.status.phase, "Succeeded");
    assert.equal(run("logs", "kubectl-pod"), "from kubectl logs\n");
    assert.match(run("--context", "fake-cert", "get", "namespaces"), /^default\s+/m);
  });

  test("a misspelt field through kubectl: refused when strict, dropped with --validate=false; delete works", () => {
    const cm = (name) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, dataa: {} });
    const kube = (args, input) => spawnSync("kubectl", ["--kubeconfig", fake.ready.kubeconfig, ...args], { input, encoding: "utf8", env: { ...process.env, HOME: fake.dir } });
    const strict = kube(["create", "--raw", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", "-f", "-"], cm("strict"));
    assert.notEqual(strict.status, 0);
    assert.match(strict.stderr, /unknown field \\?"dataa\\?"/);
    const ignored = kube(["create", "-f", "-", "--validate=false"], cm("ignored"));
    assert.equal(ignored.status, 0, ignored.stderr);
    assert.equal(JSON.parse(run("get", "configmap", "ignored", "-o", "json")).dataa, undefined);
    assert.match(run("delete", "pod", "kubectl-pod", "--wait=false"), /pod "kubectl-pod" deleted/);
  });
});
