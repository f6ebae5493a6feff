"""Opt-in: the Kubernetes executor against a real cluster, for a user with one (k3d, kind, a cloud),
to check that the fake is faithful. Set LEOFLOW_TEST_KUBECONFIG (and, as needed,
LEOFLOW_TEST_K8S_CONTEXT, LEOFLOW_TEST_K8S_NAMESPACE (default leoflow), LEOFLOW_TEST_K8S_BUILDER
(default auto), LEOFLOW_TEST_K8S_IMPORT (e.g. k3d:leoflow-dev, or push), LEOFLOW_TEST_K8S_REPOSITORY,
LEOFLOW_TEST_K8S_BASE (default python:3.11-slim) and LEOFLOW_TEST_EXECUTION_HOST: an address of this
machine the pods can reach, e.g. k3d's gateway). `leoflow lite provision --kubernetes` prepares a k3d
cluster this runs on. Skipped otherwise, saying so."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from k8s_lite import free_port  # noqa: E402
from lite import Lite  # noqa: E402
from runs import trigger, wait_registered, wait_run, write_project, xcom  # noqa: E402
from test_executor import STAGING_DAG  # noqa: E402

KUBECONFIG = os.environ.get("LEOFLOW_TEST_KUBECONFIG")
pytestmark = pytest.mark.skipif(not KUBECONFIG, reason="LEOFLOW_TEST_KUBECONFIG is not set: no real cluster to test against")


def settings():
    env = os.environ.get
    lines = [f"kubeconfig: {KUBECONFIG}", f"namespace: {env('LEOFLOW_TEST_K8S_NAMESPACE', 'leoflow')}"]
    if env("LEOFLOW_TEST_K8S_CONTEXT"):
        lines.append(f"context: {env('LEOFLOW_TEST_K8S_CONTEXT')}")
    lines += ["image:", f"  builder: {env('LEOFLOW_TEST_K8S_BUILDER', 'auto')}",
              f"  base: {env('LEOFLOW_TEST_K8S_BASE', 'python:3.11-slim')}"]
    if env("LEOFLOW_TEST_K8S_IMPORT"):
        lines.append(f"  import: {env('LEOFLOW_TEST_K8S_IMPORT')}")
    if env("LEOFLOW_TEST_K8S_REPOSITORY"):
        lines.append(f"  repository: {env('LEOFLOW_TEST_K8S_REPOSITORY')}")
    lines += ["delete_finished_pods_after: 5", "execution_api:",
              f"  host: {env('LEOFLOW_TEST_EXECUTION_HOST', '0.0.0.0')}", f"  port: {free_port()}"]
    return "\n".join(lines) + "\n"


def test_staging_is_shared_by_the_pods_of_a_run_on_a_real_cluster(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "kubernetes.yaml").write_text(settings())
    write_project(tmp_path / "dags", "staging_pair", STAGING_DAG)
    with Lite(tmp_path / "dags", home=str(home), args=["--executor", "k8s"]) as lite:
        wait_registered(lite, "staging_pair", timeout=900)  # the first image build can take minutes
        run = trigger(lite, "staging_pair")
        done = wait_run(lite, "staging_pair", run["dag_run_id"], timeout=600)
        assert done["state"] == "success", lite.output()
        assert xcom(lite, "staging_pair", run["dag_run_id"], "read") == "written by the first pod"
