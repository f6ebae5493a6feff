"""Per-project images built for real with buildah (Debian's; as root with vfs storage it builds here,
but RUN steps cannot run: no container runtime works in this sandbox, and no base image can be pulled,
so the base is `scratch` and a project with dependencies fails its build). The cluster is the fake (a
test double); these tests look at the images, not at pods running them. Skipped without buildah."""
import os
import shutil
import subprocess
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from k8s_lite import K8sLite  # noqa: E402
from lite import wait_until  # noqa: E402
from runs import wait_registered, write_project  # noqa: E402

BUILDAH = shutil.which("buildah")
pytestmark = pytest.mark.skipif(not BUILDAH or os.geteuid() != 0,
                                reason="buildah is not installed (apt-get install buildah) or not root")

DAG = """
from airflow.sdk import DAG, task
with DAG("{dag_id}", schedule=None):
    @task
    def t():
        return {value}
    t()
"""


def buildah(*args):
    return subprocess.run([BUILDAH, "--storage-driver", "vfs", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def repository():
    repo = f"localhost/leoflow-test-{uuid.uuid4().hex[:8]}"
    yield repo
    listed = buildah("images", "--format", "{{.Name}}:{{.Tag}}").stdout.split()
    for image in listed:
        if image.startswith(repo):
            buildah("rmi", "-f", image)


def images_of(repository):
    return [i for i in buildah("images", "--format", "{{.Name}}:{{.Tag}}").stdout.split() if i.startswith(repository)]


def settings(repository):
    return f"""image:
  builder: buildah
  base: scratch
  storage_driver: vfs
  repository: {repository}
"""


def test_buildah_builds_one_image_per_content_and_reuses_it(cluster, tmp_path, repository):
    dags = tmp_path / "dags"
    project = write_project(dags, "built", DAG.format(dag_id="built", value=1))
    lite = K8sLite(cluster, dags, extra="")
    with open(os.path.join(lite.home, "kubernetes.yaml")) as f:
        text = f.read()
    # The fake's builder double is replaced by the real builder.
    text = text[:text.index("image:")] + settings(repository) + text[text.index("pods:"):]
    with open(os.path.join(lite.home, "kubernetes.yaml"), "w") as f:
        f.write(text)
    with lite:
        wait_registered(lite, "built", timeout=120)
        first = images_of(repository)
        assert len(first) == 1, (first, lite.output())
        assert f"image {first[0].replace('localhost/', '')}" in lite.output() or first[0] in lite.output()
        # The image holds the project and the sdk where the pod spec expects them.
        container = buildah("from", first[0]).stdout.strip()
        try:
            root = buildah("mount", container).stdout.strip()
            assert os.path.isfile(os.path.join(root, "opt/leoflow/project/dag.py"))
            assert os.path.isdir(os.path.join(root, "opt/leoflow/sdk/leoflow_runtime"))
        finally:
            buildah("rm", container)
        # Saving the same content builds nothing; a change builds a new tag and registers version 2.
        os.utime(project / "dag.py")
        (project / "dag.py").write_text(DAG.format(dag_id="built", value=2))
        wait_until(lambda: len(images_of(repository)) == 2, 120, lite.output)
        wait_until(lambda: lite.get("/api/v2/dags/built/dagVersions")[1].get("total_entries") == 2, 60, lite.output)
        # Dependencies need a RUN step, which cannot run here: the build fails and is the import error.
        (project / "requirements.txt").write_text("six==1.16.0\n")

        def import_error():
            status, body = lite.get("/api/v2/importErrors")
            return body["import_errors"] if status == 200 and body["total_entries"] else None
        errors = wait_until(import_error, 120, lite.output)
        assert "building image" in errors[0]["stack_trace"] and "buildah" in errors[0]["stack_trace"]
        assert lite.get("/api/v2/dags/built/dagVersions")[1]["total_entries"] == 2
