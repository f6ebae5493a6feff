"""Fixtures of the kubernetes suites: one fake cluster per module (a test double for a real cluster,
which these machines cannot run), started with short back-offs."""
import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fake_cluster import FakeCluster  # noqa: E402


def _node_ready():
    return shutil.which("node") and os.path.isdir(os.path.join(HERE, "fake_apiserver", "node_modules"))


@pytest.fixture(scope="module")
def cluster():
    if not _node_ready():
        pytest.skip("the fake cluster needs node and `npm ci` in test/kubernetes/fake_apiserver")
    with FakeCluster(extra_args=["--backoff-ms", "200", "--backoff-max-ms", "1000", "--bookmark-ms", "500"]) as c:
        if c.ready["path_mode"] != "mount":
            # Rewrite mode maps only paths in the pod spec; the runtime gets
            # its DAG file's path (/opt/leoflow/project/...) over HTTP.
            pytest.skip(f"the fake cluster runs pods in {c.ready['path_mode']} mode here; the executor's suites need "
                        "mount mode (root, with mount namespaces)")
        yield c
