"""The rest of the CLI, run as the real binary on a temporary LEOFLOW_HOME:
`leoflow lite forget` (dry run changes nothing, named DAGs and --all, with a
server running on the same SQLite file), `leoflow lite provision` on a fresh
home, `leoflow compile` and its exit codes, and `leoflow setup`'s refusals."""
import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from lite import BIN_DIR, Lite, leoflow, wait_until
from wheels import build_wheel

DAG = '''\
from datetime import datetime
from airflow.sdk import dag, task

@dag(dag_id="{dag_id}", schedule=None, start_date=datetime(2025, 1, 1))
def pipeline():
    @task
    def extract():
        return [1, 2, 3]

    @task
    def load(values):
        print(sum(values))

    load(extract())

pipeline()
'''


def project(root, dag_id, source=None):
    d = root / dag_id
    d.mkdir(parents=True, exist_ok=True)
    (d / "dag.py").write_text(source if source is not None else DAG.format(dag_id=dag_id))
    return d


def add_history(home, dag_id, runs, tis_per_run, xcoms_per_run, log_files):
    """Rows a scheduler would have written (runs, task instances, XCom) and
    the try logs on disk, straight into the real database and folders."""
    db = sqlite3.connect(os.path.join(home, "dev", "lite.db"), timeout=30)
    with db:
        (version_id,) = db.execute("SELECT id FROM dag_version WHERE dag_id = ? ORDER BY id DESC LIMIT 1",
                                   (dag_id,)).fetchone()
        for r in range(runs):
            run_id = f"manual__{r}"
            cur = db.execute(
                "INSERT INTO dag_run (dag_id, run_id, dag_version_id, run_type, state, run_after, updated_at) "
                "VALUES (?, ?, ?, 'manual', 'success', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')", (dag_id, run_id, version_id))
            run_pk = cur.lastrowid
            for t in range(tis_per_run):
                db.execute("INSERT INTO task_instance (uuid, dag_run_id, dag_id, run_id, task_id, state, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, 'success', '2025-01-01T00:00:00Z')", (f"{dag_id}-{r}-{t}", run_pk, dag_id, run_id, f"t{t}"))
            for x in range(xcoms_per_run):
                db.execute("INSERT INTO xcom (dag_run_id, task_id, xcom_key, value, timestamp) "
                           "VALUES (?, ?, 'return_value', '1', '2025-01-01T00:00:00Z')", (run_pk, f"t{x}"))
    db.close()
    for i in range(log_files):
        p = os.path.join(home, "dev", "logs", dag_id, f"manual__{i}", "extract", "1.log")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write("line\n")


def counts(home, dag_id):
    db = sqlite3.connect(os.path.join(home, "dev", "lite.db"), timeout=30)
    try:
        q = lambda sql: db.execute(sql, (dag_id,)).fetchone()[0]
        return {
            "dag": q("SELECT COUNT(*) FROM dag WHERE dag_id = ?"),
            "versions": q("SELECT COUNT(*) FROM dag_version WHERE dag_id = ?"),
            "runs": q("SELECT COUNT(*) FROM dag_run WHERE dag_id = ?"),
            "tis": q("SELECT COUNT(*) FROM task_instance WHERE dag_id = ?"),
            "xcoms": q("SELECT COUNT(*) FROM xcom x JOIN dag_run r ON r.id = x.dag_run_id WHERE r.dag_id = ?"),
        }
    finally:
        db.close()


def log_count(home, dag_id):
    root = os.path.join(home, "dev", "logs", dag_id)
    return sum(len(files) for _, _, files in os.walk(root))


def versions(lite, dag_id):
    status, body = lite.get(f"/api/v2/dags/{dag_id}/dagVersions")
    return [v["version_number"] for v in body["dag_versions"]] if status == 200 else None


# --- forget ---------------------------------------------------------------


def test_forget_dry_run_changes_nothing_then_forget_while_a_server_runs(tmp_path):
    home = str(tmp_path / "home")
    dags = tmp_path / "dags"
    alpha = project(dags, "alpha")
    beta = project(dags, "beta")
    with Lite(dags, home=home) as lite:
        wait_until(lambda: versions(lite, "alpha") == [1] and versions(lite, "beta") == [1], message=lite.output)
        add_history(home, "alpha", runs=2, tis_per_run=3, xcoms_per_run=2, log_files=2)
        before = counts(home, "alpha")
        assert before == {"dag": 1, "versions": 1, "runs": 2, "tis": 6, "xcoms": 4}

        dry = leoflow("lite", "forget", "alpha", "--dry-run", home=home)
        assert dry.returncode == 0, dry.stderr
        assert "alpha: 1 version, 2 runs, 6 task instances, 4 XCom rows, 2 log files" in dry.stdout
        assert counts(home, "alpha") == before
        assert log_count(home, "alpha") == 2
        assert versions(lite, "alpha") == [1]

        done = leoflow("lite", "forget", "alpha", home=home)
        assert done.returncode == 0, done.stderr
        assert "forgot alpha" in done.stderr + done.stdout
        # The running server sees it at once; the source stays.
        assert lite.get("/api/v2/dags/alpha")[0] == 404
        assert counts(home, "alpha") == {"dag": 0, "versions": 0, "runs": 0, "tis": 0, "xcoms": 0}
        assert not os.path.exists(os.path.join(home, "dev", "logs", "alpha"))
        assert (alpha / "dag.py").read_text() == DAG.format(dag_id="alpha")
        assert versions(lite, "beta") == [1]

        # It stays gone while its files do not change: a change elsewhere is
        # parsed (and the watcher's tick runs) without bringing it back.
        (beta / "dag.py").write_text(DAG.format(dag_id="beta") + "\n# edited\n")
        wait_until(lambda: versions(lite, "beta") == [1, 2], message=lite.output)
        assert lite.get("/api/v2/dags/alpha")[0] == 404
        # Its next change registers it again, from version 1.
        (alpha / "dag.py").write_text(DAG.format(dag_id="alpha") + "\n# back\n")
        wait_until(lambda: versions(lite, "alpha") == [1], message=lite.output)


def test_forget_all_and_unknown_ids(tmp_path):
    home = str(tmp_path / "home")
    dags = tmp_path / "dags"
    for name in ("one", "two", "three"):
        project(dags, name)
    with Lite(dags, home=home) as lite:
        wait_until(lambda: all(versions(lite, n) == [1] for n in ("one", "two", "three")), message=lite.output)
    add_history(home, "two", runs=1, tis_per_run=2, xcoms_per_run=1, log_files=1)

    # An unknown id: nothing at all is removed.
    bad = leoflow("lite", "forget", "one", "nope", home=home)
    assert bad.returncode == 1
    assert "not registered: nope" in bad.stderr
    assert counts(home, "one")["dag"] == 1

    dry = leoflow("lite", "forget", "--all", "--dry-run", home=home)
    assert dry.returncode == 0
    assert "would forget 3 DAGs" in dry.stderr + dry.stdout
    assert "total: 3 versions, 1 run, 2 task instances, 1 XCom row, 1 log file" in dry.stdout
    assert all(counts(home, n)["dag"] == 1 for n in ("one", "two", "three"))

    done = leoflow("lite", "forget", "--all", home=home)
    assert done.returncode == 0, done.stderr
    for name in ("one", "two", "three"):
        assert counts(home, name) == {"dag": 0, "versions": 0, "runs": 0, "tis": 0, "xcoms": 0}
        assert (dags / name / "dag.py").exists()
    assert log_count(home, "two") == 0
    again = leoflow("lite", "forget", "--all", home=home)
    assert again.returncode == 0 and "nothing to forget" in again.stderr + again.stdout


def test_forget_usage_errors(tmp_path):
    assert leoflow("lite", "forget", home=tmp_path).returncode == 2
    assert leoflow("lite", "forget", "x", "--all", home=tmp_path).returncode == 2
    assert leoflow("lite", "forget", "--bogus", home=tmp_path).returncode == 2
    r = leoflow("lite", "forget", "x", home=tmp_path / "none")
    assert r.returncode == 1 and "no Lite database" in r.stderr
    assert "--dry-run" in leoflow("lite", "forget", "--help", home=tmp_path).stdout


# --- provision -------------------------------------------------------------


def test_provision_prepares_a_fresh_home_and_is_idempotent(tmp_path):
    home = tmp_path / "fresh"
    first = leoflow("lite", "provision", home=home)
    out = first.stdout + first.stderr
    assert first.returncode == 0, out
    assert "python3" in out and "venv module" in out
    assert os.path.isfile(home / "dev" / "lite.db")
    assert os.path.isdir(home / "dev" / "logs") and os.path.isdir(home / "dev" / "venvs")
    db = sqlite3.connect(home / "dev" / "lite.db")
    assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] >= 1
    assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'dag'").fetchone()[0] == 1
    db.close()
    assert "created" in out

    second = leoflow("lite", "provision", home=home)
    assert second.returncode == 0
    assert "present" in second.stdout + second.stderr


def test_provision_reports_missing_tools_with_their_fix(tmp_path):
    # A PATH holding only python3: uv, docker and k3d are missing (Lite needs no kubectl).
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(os.path.realpath(sys.executable), bin_dir / "python3")
    env = {"PATH": str(bin_dir)}
    r = leoflow("lite", "provision", home=tmp_path / "h1", env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out  # only optional things are missing
    for tool in ("uv", "docker", "k3d"):
        assert f"{tool}" in out
    assert "fix: " in out and "k3d-io/k3d" in out

    k8s = leoflow("lite", "provision", "--kubernetes", home=tmp_path / "h2", env=env)
    assert k8s.returncode == 1
    assert "required item" in k8s.stderr and "k3d" in k8s.stderr

    nopython = leoflow("lite", "provision", home=tmp_path / "h3", env={"LEOFLOW_PYTHON": str(tmp_path / "no-python")})
    assert nopython.returncode == 1
    assert "fix: sudo apt-get install" in nopython.stderr


# --- compile ---------------------------------------------------------------


def test_compile_prints_the_spec_and_exits_0(tmp_path):
    dags = tmp_path / "dags"
    project(dags, "etl")
    r = leoflow("compile", dags / "etl", home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    spec = json.loads(r.stdout)
    assert spec["dags"][0]["dag_id"] == "etl"
    assert [t["task_id"] for t in spec["dags"][0]["tasks"]] == ["extract", "load"]
    assert "etl: 2 tasks" in r.stderr
    # The source folder stays clean (byte-code goes to LEOFLOW_HOME).
    assert sorted(os.listdir(dags / "etl")) == ["dag.py"]


def test_compile_exit_1_with_the_traceback_on_a_broken_file(tmp_path):
    dags = tmp_path / "dags"
    project(dags, "good")
    project(dags, "broken", DAG.format(dag_id="broken").replace("def load(values):", "def load(values:"))
    r = leoflow("compile", dags, home=tmp_path / "home")
    assert r.returncode == 1
    assert "SyntaxError" in r.stderr and "broken/dag.py" in r.stderr and "line 11" in r.stderr
    assert "good: 2 tasks" in r.stderr
    assert "1 of 2 projects failed" in r.stderr
    docs = json.loads(r.stdout)  # the good one's spec is still printed
    assert [d["dags"][0]["dag_id"] for d in docs] == ["good"]


def test_compile_parses_in_the_projects_virtualenv_like_the_watcher(tmp_path):
    """A DAG that imports its own dependency at parse time compiles only
    because compile installs it, as Lite does; one that cannot be installed
    fails."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "leoflow_test_helper", "1.0", "NAME = 'from-the-wheel'\n")
    dags = tmp_path / "dags"
    d = project(dags, "with_dep", DAG.format(dag_id="with_dep").replace(
        "from airflow.sdk import dag, task", "from airflow.sdk import dag, task\nimport leoflow_test_helper"))
    (d / "requirements.txt").write_text("leoflow_test_helper==1.0\n")
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
               "UV_OFFLINE": "1", "UV_FIND_LINKS": str(wheels)}
    home = tmp_path / "home"
    r = leoflow("compile", dags, home=home, env=offline, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["dags"][0]["dag_id"] == "with_dep"
    assert os.path.isdir(home / "dev" / "venvs" / "with_dep")

    # A dependency that cannot be installed: the file parses, the project fails.
    other = tmp_path / "other"
    bad = project(other, "bad_dep")
    (bad / "requirements.txt").write_text("leoflow_no_such_package==9.9\n")
    r = leoflow("compile", other, "--quiet", home=home, env=offline, timeout=300)
    assert r.returncode == 1
    assert "installing the project's dependencies failed" in r.stderr
    assert "leoflow_no_such_package" in r.stderr


@pytest.mark.parametrize("case", ["runtime_error", "duplicate", "bad_yaml", "empty"])
def test_compile_exit_1_on_other_errors(tmp_path, case):
    dags = tmp_path / "dags"
    dags.mkdir()
    if case == "runtime_error":
        project(dags, "boom", "raise RuntimeError('no DAG today')\n")
        expect = "RuntimeError: no DAG today"
    elif case == "duplicate":
        project(dags, "a", DAG.format(dag_id="same"))
        project(dags, "b", DAG.format(dag_id="same"))
        expect = "duplicate dag_id 'same'"
    elif case == "bad_yaml":
        d = project(dags, "cfg")
        (d / "leoflow.yaml").write_text("dag_file: [unclosed\n")
        expect = "leoflow.yaml"
    else:
        expect = "no DAG project under"
    r = leoflow("compile", dags, "--quiet", home=tmp_path / "home")
    assert r.returncode == 1, r.stderr
    assert expect in r.stderr
    assert r.stdout == ""


def test_compile_usage_errors_are_2(tmp_path):
    assert leoflow("compile", home=tmp_path).returncode == 2
    assert leoflow("compile", tmp_path, "--nope", home=tmp_path).returncode == 2
    assert leoflow("compile", tmp_path, "--parse-timeout", "x", home=tmp_path).returncode == 2
    assert leoflow("compile", tmp_path / "missing", home=tmp_path).returncode == 1
    assert "Exit status" in leoflow("compile", "--help", home=tmp_path).stdout


# --- setup -------------------------------------------------------------------


def test_setup_refuses_what_it_cannot_do(tmp_path):
    home = tmp_path / "home"
    # No terminal and nothing to go on.
    r = leoflow("setup", home=home, input="")
    assert r.returncode == 2 and "not a terminal" in r.stderr
    short = leoflow("setup", "--admin-user", "admin", "--password-stdin", home=home, input="short\n")
    assert short.returncode == 2 and "shorter than 8" in short.stderr
    assert leoflow("setup", "--admin-user", "a b", "--generate-password", home=home).returncode == 2
    assert leoflow("setup", "--admin-user", "admin", home=home).returncode == 2  # new user, no password
    assert not (home / "config.yaml").exists()

    ok = leoflow("setup", "--admin-user", "admin", "--generate-password", "--workspace", tmp_path / "ws", home=home)
    assert ok.returncode == 0, ok.stderr
    password = ok.stdout.strip()
    assert len(password) == 24
    mode = stat.S_IMODE(os.stat(home / "config.yaml").st_mode)
    assert mode == 0o600
    assert password not in (home / "config.yaml").read_text()
    assert f"workspace: {os.path.realpath(tmp_path / 'ws')}" in (home / "config.yaml").read_text()


def test_setup_asks_on_a_terminal(tmp_path):
    """The interactive flow through a real pseudo-terminal: defaults, a
    hidden password typed twice, a mismatch asked again."""
    import pty
    import select
    home = tmp_path / "home"
    ws = tmp_path / "ws"
    master, slave = pty.openpty()
    env = dict(os.environ, LEOFLOW_HOME=str(home), NO_COLOR="1")
    proc = subprocess.Popen([os.path.join(BIN_DIR, "leoflow"), "setup"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    buffer = [""]
    transcript = []

    def expect(prompt):
        """Waits for `prompt`, then consumes the output up to its end."""
        def got():
            if select.select([master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(master, 4096).decode(errors="replace")
                    buffer[0] += chunk
                    transcript.append(chunk)
                except OSError:
                    pass
            return prompt in buffer[0]
        wait_until(got, 30, lambda: f"no prompt {prompt!r} in {buffer[0]!r}")
        buffer[0] = buffer[0][buffer[0].index(prompt) + len(prompt):]

    try:
        expect("Workspace (folder of DAG projects)")
        os.write(master, f"{ws}\n".encode())
        expect("Admin user [admin]:")
        os.write(master, b"\n")
        expect("Password (empty generates one):")
        os.write(master, b"typed-password-1\n")
        expect("Repeat the password:")
        os.write(master, b"typed-password-2\n")
        expect("the passwords differ")
        expect("Password (empty generates one):")
        os.write(master, b"typed-password-1\n")
        expect("Repeat the password:")
        os.write(master, b"typed-password-1\n")
        assert proc.wait(60) == 0
        # The terminal echoed the workspace but never a password.
        assert str(ws) in "".join(transcript)
        assert "typed-password" not in "".join(transcript)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = (home / "config.yaml").read_text()
    assert "admin:" in text and "$argon2id$" in text and "typed-password" not in text
    assert f"workspace: {ws}" in text
    with Lite(home=str(home)) as lite:
        lite.login("admin", "typed-password-1")
        assert lite.get("/api/v2/dags")[0] == 200


def test_lite_serves_the_workspace_when_given_no_folder(tmp_path):
    home = tmp_path / "home"
    ws = tmp_path / "ws"
    project(ws, "from_ws")
    r = leoflow("setup", "--workspace", ws, home=home)
    assert r.returncode == 0, r.stderr
    with Lite(home=str(home)) as lite:
        wait_until(lambda: versions(lite, "from_ws") == [1], message=lite.output)
