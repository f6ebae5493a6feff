"""A throw-away PostgreSQL cluster for the integration tests (started by
test/support/postgres_cluster.sh, stopped at the end), and a new empty
database on it per test. When ctest's `postgres` fixture already runs one,
LEOFLOW_TEST_POSTGRES_DIR names it and it is reused."""
import itertools
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SCRIPT = os.path.join(ROOT, "test", "support", "postgres_cluster.sh")
_names = itertools.count()


def installed():
    return any(os.path.exists(f"/usr/lib/postgresql/{v}/bin/initdb") for v in os.listdir("/usr/lib/postgresql")) \
        if os.path.isdir("/usr/lib/postgresql") else False


class Cluster:
    def __init__(self):
        self._owned = None
        self.dir = os.environ.get("LEOFLOW_TEST_POSTGRES_DIR")
        if not self.dir:
            self._owned = tempfile.mkdtemp(prefix="leoflow-pg-state-")
            self.dir = os.path.join(self._owned, "cluster")
            subprocess.run([SCRIPT, "start", self.dir], check=True, capture_output=True, text=True)
        with open(os.path.join(self.dir, "url")) as f:
            self.url = f.read().strip()
        with open(os.path.join(self.dir, "tcp_url")) as f:
            self.tcp_url = f.read().strip()

    def psql(self, sql, url=None):
        return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url or self.url, "-c", sql],
                              check=True, capture_output=True, text=True).stdout.strip()

    def new_database(self, tcp=False):
        """The URL of a new empty database (over TCP with a password, or the socket)."""
        name = f"it_{os.getpid()}_{next(_names)}"
        self.psql(f"CREATE DATABASE {name}")
        base = self.tcp_url if tcp else self.url
        return base.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        if self._owned:
            subprocess.run([SCRIPT, "stop", self.dir], capture_output=True)
            shutil.rmtree(self._owned, ignore_errors=True)
