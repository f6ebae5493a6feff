"""The virtualenvs of PythonVirtualenvOperator / @task.virtualenv: made with the standard `venv`
module and pip (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX... apply as pip reads them), cached by a
hash of the interpreter and what is installed. A lock file serialises tries building the same one;
a `.leoflow-ready` marker, written last, tells a complete virtualenv from an interrupted build."""
import os

from leoflow.errors import AirflowException
from leoflow.tasklog import TaskLogger

log = TaskLogger("airflow.task.operators.virtualenv")
READY = ".leoflow-ready"


def cache_root(venv_cache_path=None):
    if venv_cache_path:
        return str(venv_cache_path)
    home = os.environ.get("LEOFLOW_HOME") or os.path.join(os.path.expanduser("~"), ".leoflow")
    return os.path.join(home, "dev", "venvs")


def venv_hash(base_python, requirements, system_site_packages, pip_install_options, index_urls):
    import hashlib
    from leoflow.jsonout import dumps
    identity = {"python": os.path.realpath(base_python), "requirements": list(requirements),
                "system_site_packages": bool(system_site_packages), "pip_install_options": list(pip_install_options),
                "index_urls": [index_urls] if isinstance(index_urls, str) else list(index_urls or [])}
    return hashlib.sha256(dumps(identity).encode()).hexdigest()[:24]


def _run(command, what):
    from leoflow.operators import SubprocessRunner
    exit_code, _ = SubprocessRunner().run(command, dict(os.environ), None)
    if exit_code != 0:
        raise AirflowException(f"{what} failed with exit code {exit_code} (its output is above)")


def _build(folder, base_python, requirements, system_site_packages, pip_install_options, index_urls):
    import shutil
    shutil.rmtree(folder, ignore_errors=True)
    command = [base_python, "-m", "venv"]
    if system_site_packages:
        command.append("--system-site-packages")
    if not requirements:
        command.append("--without-pip")
    log.info("Creating the virtualenv %s", folder)
    _run(command + [folder], "Creating the virtualenv")
    if requirements:
        urls = [index_urls] if isinstance(index_urls, str) else list(index_urls or [])
        index_options = []
        if urls:
            index_options = ["--index-url", urls[0]]
            for url in urls[1:]:
                index_options += ["--extra-index-url", url]
        with open(os.path.join(folder, "requirements.txt"), "w") as handle:
            handle.write("\n".join(requirements) + "\n")
        log.info("Installing %s", ", ".join(requirements))
        _run([os.path.join(folder, "bin", "python"), "-m", "pip", "install", "--disable-pip-version-check",
              "--no-input", *index_options, *pip_install_options, "-r", os.path.join(folder, "requirements.txt")],
             "Installing the requirements")
    with open(os.path.join(folder, READY), "w") as handle:
        handle.write("\n".join(requirements) + "\n")


def ensure_venv(base_python, requirements, system_site_packages=True, pip_install_options=(), index_urls=None,
                venv_cache_path=None):
    """The interpreter of a virtualenv holding `requirements`, built now unless it is cached."""
    import fcntl
    root = cache_root(venv_cache_path)
    os.makedirs(root, exist_ok=True)
    folder = os.path.join(root, "task+" + venv_hash(base_python, requirements, system_site_packages,
                                                    pip_install_options, index_urls))
    python = os.path.join(folder, "bin", "python")
    with open(folder + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(folder, READY)) and os.path.exists(python):
            log.info("Reusing the cached virtualenv %s", folder)
            return python
        _build(folder, base_python, requirements, system_site_packages, list(pip_install_options), index_urls)
    return python
