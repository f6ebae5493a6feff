"""The edit → reload loop against a real `leoflow lite`: register, no new
version for an identical save, import error with file and line on a broken
file (the last good version keeps serving), cleared on fix, DAG gone with its
folder."""
import os
import shutil
import textwrap

from lite import Lite, q, wait_until

GOOD = textwrap.dedent('''\
    from datetime import datetime
    from airflow.sdk import dag, task

    @dag(schedule=None, start_date=datetime(2025, 1, 1), tags=["it"])
    def my_dag():
        @task
        def extract():
            return [1, 2, 3]

        @task
        def load(values):
            print(sum(values))

        load(extract())

    my_dag()
    ''')

BROKEN = GOOD.replace("def load(values):", "def load(values:  # missing close paren")


def versions(lite, dag_id="my_dag"):
    status, body = lite.get(f"/api/v2/dags/{dag_id}/dagVersions")
    return [v["version_number"] for v in body["dag_versions"]] if status == 200 else None


def import_errors(lite):
    return lite.get("/api/v2/importErrors")[1]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_edit_reload_loop(tmp_path):
    dags = tmp_path / "dags"
    project = dags / "my_dag"
    project.mkdir(parents=True)
    with Lite(dags) as lite:
        write(project / "dag.py", GOOD)
        wait_until(lambda: versions(lite) == [1], message=lite.output)
        status, dag = lite.get("/api/v2/dags/my_dag")
        assert status == 200 and dag["fileloc"].endswith("my_dag/dag.py")
        assert dag["has_import_errors"] is False
        assert [t["name"] for t in dag["tags"]] == ["it"]
        lite.wait_for_line(r"✓ my_dag: registered version 1 \(2 tasks")

        # An identical save (and a touch) registers nothing new.
        start = len(lite.lines)
        write(project / "dag.py", GOOD)
        os.utime(project / "dag.py")
        lite.wait_for_line(r"my_dag: unchanged \(version 1", start=start)
        assert versions(lite) == [1]

        # A broken file: import error with file and line, version 1 still served.
        start = len(lite.lines)
        write(project / "dag.py", BROKEN)
        body = wait_until(lambda: (lambda b: b if b["total_entries"] == 1 else None)(import_errors(lite)),
                          message=lite.output)
        error = body["import_errors"][0]
        assert error["filename"].endswith("my_dag/dag.py")
        assert error["bundle_name"] == "dags"
        assert 'line 11' in error["stack_trace"]
        assert "SyntaxError" in error["stack_trace"]
        lite.wait_for_line(r'✗ running parser ".* -m leoflow_parser": exit status 1', start=start)
        assert versions(lite) == [1]
        assert lite.get("/api/v2/dags/my_dag")[1]["has_import_errors"] is True
        status, one = lite.get(f"/api/v2/importErrors/{error['import_error_id']}")
        assert status == 200 and one["stack_trace"] == error["stack_trace"]

        # Fixed: a new version, the error gone.
        write(project / "dag.py", GOOD.replace("[1, 2, 3]", "[4, 5, 6]"))
        wait_until(lambda: versions(lite) == [1, 2], message=lite.output)
        assert import_errors(lite)["total_entries"] == 0
        assert lite.get("/api/v2/dags/my_dag")[1]["has_import_errors"] is False
        status, source = lite.get("/api/v2/dagSources/my_dag?version_number=1")
        assert status == 200 and "[1, 2, 3]" in source["content"]
        status, source = lite.get("/api/v2/dagSources/my_dag")
        assert status == 200 and "[4, 5, 6]" in source["content"] and source["version_number"] == 2

        # The folder goes: the DAG goes, everything it owned with it.
        shutil.rmtree(project)
        wait_until(lambda: lite.get("/api/v2/dags/my_dag")[0] == 404, message=lite.output)
        lite.wait_for_line(r'✗ removed dag "my_dag" from registry \(folder gone\)')
        assert lite.get("/api/v2/dags")[1]["total_entries"] == 0


def test_new_project_folder_and_second_dag_claiming_an_id(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    with Lite(dags) as lite:
        (dags / "first").mkdir()
        write(dags / "first" / "dag.py", GOOD)
        wait_until(lambda: versions(lite) == [1], message=lite.output)
        (dags / "second").mkdir()
        write(dags / "second" / "dag.py", GOOD)
        body = wait_until(lambda: (lambda b: b if b["total_entries"] == 1 else None)(import_errors(lite)),
                          message=lite.output)
        error = body["import_errors"][0]
        assert error["filename"].endswith("second/dag.py")
        assert "first/dag.py" in error["stack_trace"]
        assert lite.get("/api/v2/dags/my_dag")[1]["fileloc"].endswith("first/dag.py")


def test_restart_keeps_versions_and_forgets_vanished_folders(tmp_path):
    dags = tmp_path / "dags"
    for name in ("keep", "gone"):
        (dags / name).mkdir(parents=True)
        write(dags / name / "dag.py", GOOD.replace("def my_dag", f"def {name}_dag").replace("my_dag()", f"{name}_dag()"))
    home = tmp_path / "home"
    with Lite(dags, home=str(home)) as lite:
        wait_until(lambda: lite.get("/api/v2/dags")[1]["total_entries"] == 2, message=lite.output)
    shutil.rmtree(dags / "gone")
    with Lite(dags, home=str(home)) as lite:
        wait_until(lambda: lite.get("/api/v2/dags/gone_dag")[0] == 404, message=lite.output)
        lite.wait_for_line(r"keep_dag: unchanged \(version 1")
        assert versions(lite, "keep_dag") == [1]


def test_projects_present_at_start_all_register(tmp_path):
    # Each project parses in its own virtualenv's fork server, all at once:
    # their outputs must never cross (they once shared FIFO names).
    dags = tmp_path / "dags"
    names = [f"project_{i}" for i in range(6)]
    for name in names:
        (dags / name).mkdir(parents=True)
        write(dags / name / "dag.py", GOOD.replace("def my_dag", f"def {name}").replace("my_dag()", f"{name}()"))
    with Lite(dags) as lite:
        wait_until(lambda: all(versions(lite, n) == [1] for n in names), message=lite.output)
        assert import_errors(lite)["total_entries"] == 0


def test_a_file_emptied_for_a_moment_keeps_its_dag_and_history(tmp_path):
    # An editor truncating the file before writing it, or a save caught
    # half-way, must not deregister the DAG (and delete its runs).
    dags = tmp_path / "dags"
    project = dags / "my_dag"
    project.mkdir(parents=True)
    (project / "dag.py").write_text(GOOD)
    with Lite(dags) as lite:
        wait_until(lambda: versions(lite) == [1], message=lite.output)
        status, run = lite.request("POST", "/api/v2/dags/my_dag/dagRuns", {})
        assert status == 200, run
        (project / "dag.py").write_text("")
        errors = wait_until(lambda: import_errors(lite)["import_errors"], message=lite.output)
        assert "defines no DAG any more (it defined my_dag)" in errors[0]["stack_trace"]
        assert "leoflow lite forget my_dag" in errors[0]["stack_trace"]
        assert versions(lite) == [1]
        assert lite.get(f"/api/v2/dags/my_dag/dagRuns/{run['dag_run_id']}")[0] == 200
        assert "removed dag" not in lite.output()
        (project / "dag.py").write_text(GOOD.replace("[1, 2, 3]", "[7, 8]"))
        wait_until(lambda: versions(lite) == [1, 2], message=lite.output)
        assert import_errors(lite)["total_entries"] == 0


def test_many_projects_at_start_all_register(tmp_path):
    # Projects without dependencies parse at once through the shared warm
    # interpreter; their virtualenvs are made after, when no parse waits.
    dags = tmp_path / "dags"
    names = [f"many_{i:02d}" for i in range(40)]
    for name in names:
        (dags / name).mkdir(parents=True)
        write(dags / name / "dag.py", GOOD.replace("def my_dag", f"def {name}").replace("my_dag()", f"{name}()"))
    with Lite(dags) as lite:
        def registered():
            body = lite.get("/api/v2/dags?limit=100")[1]
            return body if body["total_entries"] == len(names) else None
        body = wait_until(registered, timeout=120, message=lite.output)
        assert sorted(d["dag_id"] for d in body["dags"]) == names
        assert all(d["has_import_errors"] is False for d in body["dags"])
        assert import_errors(lite)["total_entries"] == 0
        for name in ("many_00", "many_39"):
            assert versions(lite, name) == [1]
        venv_python = lambda name: os.path.join(lite.home, "dev", "venvs", name, "bin", "python")
        wait_until(lambda: all(os.path.exists(venv_python(n)) for n in names), timeout=180, message=lite.output)
        # A try runs in its project's virtualenv, as before.
        status, run = lite.request("POST", "/api/v2/dags/many_07/dagRuns", {})
        assert status == 200, run
        run_path = f"/api/v2/dags/many_07/dagRuns/{q(run['dag_run_id'])}"
        wait_until(lambda: lite.get(run_path)[1]["state"] == "success", timeout=120, message=lite.output)
