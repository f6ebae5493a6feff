"""`leoflow lite --executor k8s` against the fake cluster, for the kubernetes suites: a LEOFLOW_HOME
whose kubernetes.yaml points at the fake's kubeconfig, images registered by fake_image_builder.py (a
test double: no container engine runs here, so an "image" is the project folder and Lite's sdk
mapped into the pod's file system), and short delays so collection is seen within a test."""
import os
import socket
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from lite import Lite, wait_until  # noqa: E402

BUILDER = os.path.join(HERE, "fake_image_builder.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kubernetes_yaml(cluster, execution_port=0, builder_args=(), extra=""):
    command = ", ".join(f'"{a}"' for a in [BUILDER, cluster.state_dir, *builder_args])
    return f"""kubeconfig: {cluster.kubeconfig}
namespace: default
image:
  builder: command
  command: [{command}]
pods:
  termination_grace_seconds: 5
delete_finished_pods_after: 2
gc_interval: 1
heartbeat_interval: 1
heartbeat_timeout: 6
kill_grace: 3
staging:
  keep_after_failure: 3
execution_api:
  host: 127.0.0.1
  port: {execution_port}
{extra}"""


class K8sLite(Lite):
    """A Lite whose home has a kubernetes.yaml for `cluster`; runs with --executor k8s."""

    def __init__(self, cluster, *folders, home=None, execution_port=0, builder_args=(), extra="", args=(), env=None,
                 executor="k8s"):
        if home is None:
            self._home_dir = tempfile.TemporaryDirectory(prefix="leoflow-k8s-home-")
            home = self._home_dir.name
        with open(os.path.join(home, "kubernetes.yaml"), "w") as f:
            f.write(kubernetes_yaml(cluster, execution_port, builder_args, extra))
        super().__init__(*folders, home=home, args=["--executor", executor, *args], env=env)
        self.cluster = cluster

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if hasattr(self, "_home_dir"):
            self._home_dir.cleanup()


def pods_of(cluster, selector=""):
    path = "/api/v1/namespaces/default/pods" + (f"?labelSelector={selector}" if selector else "")
    return cluster.api("GET", path)["items"]


def claims_of(cluster):
    return cluster.api("GET", "/api/v1/namespaces/default/persistentvolumeclaims")["items"]


def pod_for(cluster, task_id, try_number=None, timeout=30, dag_id=None):
    """The (first) pod of a task (of a DAG), waited for."""
    selector = f"leoflow.io/task-id={task_id}" + (f",leoflow.io/dag-id={dag_id}" if dag_id else "")

    def find():
        for p in pods_of(cluster, selector):
            if try_number is None or p["metadata"]["labels"].get("leoflow.io/try-number") == str(try_number):
                return p
        return None
    return wait_until(find, timeout, f"no pod for task {task_id}")


def wait_pod_running(cluster, task_id, timeout=30, dag_id=None, try_number=None):
    def running():
        p = pod_for(cluster, task_id, try_number=try_number, timeout=timeout, dag_id=dag_id)
        statuses = p.get("status", {}).get("containerStatuses") or []
        return p if statuses and "running" in statuses[0].get("state", {}) else None
    return wait_until(running, timeout, f"task {task_id}'s pod never ran")
