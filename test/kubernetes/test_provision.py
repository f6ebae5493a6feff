"""`leoflow lite provision --kubernetes` on a machine without docker or k3d (these machines: no
engine), and how `leoflow lite --executor auto|k8s|subprocess` chooses and says why in its first
line. The cluster, where one is needed, is the fake (a test double for a real one)."""
import os
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from k8s_lite import K8sLite  # noqa: E402
from lite import Lite, leoflow  # noqa: E402


def only_python(tmp_path, extra=None):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(os.path.realpath("/usr/bin/python3"), bin_dir / "python3")
    for name, script in (extra or {}).items():
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    return {"PATH": str(bin_dir)}


def test_without_docker_and_k3d_it_says_exactly_what_to_install(tmp_path):
    r = leoflow("lite", "provision", "--kubernetes", home=tmp_path / "home", env=only_python(tmp_path))
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "the Kubernetes executor needs docker and k3d on this machine" in out
    assert "docker: sudo apt-get install docker.io" in out
    assert "k3d:    curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | bash" in out
    assert "then run `leoflow lite provision --kubernetes` again" in out
    assert not (tmp_path / "home" / "kubernetes.yaml").exists()


def test_a_docker_client_without_an_engine_is_not_enough(tmp_path):
    # Test doubles: a docker client whose engine is not running (as on these machines) and a k3d.
    docker = "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'Docker version 28.2.2'; exit 0; }\n" \
             "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1\n"
    k3d = "#!/bin/sh\necho 'k3d version v5.8.3'\n"
    r = leoflow("lite", "provision", "--kubernetes", home=tmp_path / "home",
                env=only_python(tmp_path, {"docker": docker, "k3d": k3d}))
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "no Docker engine answers (Cannot connect to the Docker daemon" in out
    assert "sudo systemctl start docker" in out


def test_auto_without_a_configured_cluster_runs_subprocesses_and_says_why(tmp_path):
    (tmp_path / "dags").mkdir()
    with Lite(tmp_path / "dags") as lite:
        first = lite.output().splitlines()[0]
        assert "executor: subprocess — no Kubernetes cluster is configured" in first, first


def test_auto_with_a_cluster_that_does_not_answer_runs_subprocesses(tmp_path):
    (tmp_path / "dags").mkdir()
    home = tmp_path / "home"
    home.mkdir()
    (home / "kubeconfig").write_text(textwrap.dedent("""\
        apiVersion: v1
        kind: Config
        current-context: gone
        clusters: [{name: gone, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]
        contexts: [{name: gone, context: {cluster: gone, user: u}}]
        users: [{name: u, user: {token: t}}]
        """))
    (home / "kubernetes.yaml").write_text(f"kubeconfig: {home / 'kubeconfig'}\n")
    with Lite(tmp_path / "dags", home=str(home)) as lite:
        first = lite.output().splitlines()[0]
        assert "executor: subprocess — the cluster of kubeconfig" in first and "does not answer" in first, first
    # Asked for explicitly, a cluster that is configured is used (and the watch retries).
    bad = leoflow("lite", str(tmp_path / "dags"), "--executor", "k8s", "--port", "0", home=tmp_path / "empty", timeout=30)
    assert bad.returncode == 1
    assert "executor: kubernetes cannot be used" in bad.stderr and "provision --kubernetes" in bad.stderr


def test_auto_with_the_fake_cluster_runs_pods(cluster, tmp_path):
    (tmp_path / "dags").mkdir()
    with K8sLite(cluster, tmp_path / "dags", executor="auto") as lite:
        first = lite.output().splitlines()[0]
        assert first.endswith("answers") and "executor: kubernetes — every try is a pod" in first, first


def test_a_mistake_in_kubernetes_yaml_names_its_key(tmp_path):
    (tmp_path / "dags").mkdir()
    home = tmp_path / "home"
    home.mkdir()
    (home / "kubernetes.yaml").write_text("pods:\n  image_pul_policy: Always\n")
    r = leoflow("lite", str(tmp_path / "dags"), "--port", "0", home=home, timeout=30)
    assert r.returncode == 2
    assert "pods.image_pul_policy: unknown key" in r.stderr
