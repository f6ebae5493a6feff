"""PythonVirtualenvOperator and ExternalPythonOperator (and their branch forms): the callable runs
in another interpreter, as Airflow runs it: its source is written into a script with its arguments
in a file beside it, and the return value comes back through another file. The files are JSON
(datetimes, dates and timedeltas tagged), or pickle / cloudpickle / dill when `serializer` says so.
Virtualenvs are made with the standard `venv` module and pip (pip's own PIP_* settings apply),
cached by a hash of what they hold under $LEOFLOW_HOME/dev/venvs/task+<hash> (or venv_cache_path)."""
import os
import sys

from leoflow.errors import AirflowException, AirflowSkipException
from leoflow.operators import BranchMixIn, PythonOperator

SERIALIZERS = ("json", "pickle", "cloudpickle", "dill")
# Context keys a callable in another interpreter may take (Airflow's serializable keys, minus the
# ones that need Airflow itself there: dag, task, ti, macros, conf).
SERIALIZABLE_CONTEXT_KEYS = frozenset({
    "ds", "ds_nodash", "expanded_ti_count", "inlets", "outlets", "run_id", "task_instance_key_str", "test_mode",
    "ts", "ts_nodash", "ts_nodash_with_tz", "data_interval_end", "data_interval_start", "logical_date",
    "prev_data_interval_end_success", "prev_data_interval_start_success", "prev_start_date_success",
    "prev_end_date_success", "params", "try_number",
})

# The script run by the other interpreter: {function} is the callable's source.
_SCRIPT = '''\
import json, sys
from datetime import date, datetime, timedelta

SERIALIZER = {serializer!r}


def _decode(value):
    if isinstance(value, dict):
        kind = value.get("__leoflow_type")
        if kind == "datetime":
            return datetime.fromisoformat(value["value"])
        if kind == "date":
            return date.fromisoformat(value["value"])
        if kind == "timedelta":
            return timedelta(seconds=value["value"])
        return {{key: _decode(item) for key, item in value.items()}}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _load(path):
    if SERIALIZER == "json":
        with open(path) as handle:
            return _decode(json.load(handle))
    module = __import__(SERIALIZER)
    with open(path, "rb") as handle:
        return module.load(handle)


def _dump(value, path):
    if SERIALIZER == "json":
        with open(path, "w") as handle:
            json.dump(value, handle)
    else:
        with open(path, "wb") as handle:
            __import__(SERIALIZER).dump(value, handle)


with open(sys.argv[3]) as _strings:
    virtualenv_string_args = _strings.read().splitlines()

{function}

_arguments = _load(sys.argv[1])
_result = {name}(*_arguments["args"], **_arguments["kwargs"])
_dump(_result, sys.argv[2])
'''


def _encode(value):
    """`value` as the JSON argument file holds it (datetimes and durations tagged, tuples as lists)."""
    from datetime import date, datetime, timedelta
    if isinstance(value, datetime):
        return {"__leoflow_type": "datetime", "value": value.isoformat()}
    if isinstance(value, date):
        return {"__leoflow_type": "date", "value": value.isoformat()}
    if isinstance(value, timedelta):
        return {"__leoflow_type": "timedelta", "value": value.total_seconds()}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value


def function_source(function):
    """The callable's source as a module-level definition: dedented, decorators removed."""
    import inspect
    import textwrap
    lines = textwrap.dedent(inspect.getsource(function)).splitlines()
    for index, line in enumerate(lines):
        if line.startswith(("def ", "async def ")):
            return "\n".join(lines[index:]) + "\n"
    raise ValueError(f"could not find the definition of {function.__name__} in its source")


class _BasePythonVenvOperator(PythonOperator):
    """Runs python_callable in the interpreter `python_path()` names."""

    template_fields = ("templates_dict", "op_args", "op_kwargs")

    def __init__(self, *, python_callable, serializer=None, op_args=None, op_kwargs=None, string_args=None,
                 templates_dict=None, templates_exts=None, expect_airflow=True, skip_on_exit_code=None,
                 env_vars=None, inherit_env=True, use_dill=False, **kwargs):
        from types import FunctionType
        if not isinstance(python_callable, FunctionType) or python_callable.__name__ == "<lambda>":
            raise ValueError(f"{type(self).__name__} only supports functions for python_callable arg")
        if python_callable.__code__.co_flags & 0x20:
            raise ValueError(f"{type(self).__name__} does not support using 'yield' in python_callable")
        super().__init__(python_callable=python_callable, op_args=op_args, op_kwargs=op_kwargs,
                         templates_dict=templates_dict, templates_exts=templates_exts, **kwargs)
        serializer = serializer or ("dill" if use_dill else "json")
        if serializer not in SERIALIZERS:
            raise AirflowException(f"Unsupported serializer {serializer!r}. Expected one of {', '.join(SERIALIZERS)}")
        self.serializer = serializer
        self.string_args = list(string_args or [])
        self.expect_airflow = expect_airflow
        if skip_on_exit_code is None:
            self.skip_on_exit_code = ()
        elif isinstance(skip_on_exit_code, int):
            self.skip_on_exit_code = (skip_on_exit_code,)
        else:
            self.skip_on_exit_code = tuple(skip_on_exit_code)
        self.env_vars = env_vars
        self.inherit_env = inherit_env

    def python_path(self):
        raise NotImplementedError

    def execute(self, context):
        # Only what another interpreter can take travels (Airflow drops the rest the same way).
        serializable = {key: value for key, value in context.items() if key in SERIALIZABLE_CONTEXT_KEYS}
        return super().execute(serializable)

    def _write_arguments(self, path):
        arguments = {"args": list(self.op_args), "kwargs": dict(self.op_kwargs)}
        if self.serializer == "json":
            from leoflow.jsonout import dumps
            try:
                text = dumps(_encode(arguments))
            except (TypeError, ValueError) as error:
                raise TypeError(f"The arguments of {self.task_id} cannot be passed as JSON: {error}; "
                                "use serializer='pickle' for other types") from None
            with open(path, "w") as handle:
                handle.write(text)
            return
        with open(path, "wb") as handle:
            __import__(self.serializer).dump(arguments, handle)

    def _read_result(self, path):
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            return None
        if self.serializer == "json":
            from leoflow.jsonin import loads
            with open(path) as handle:
                return loads(handle.read())
        with open(path, "rb") as handle:
            return __import__(self.serializer).load(handle)

    def _environment(self):
        env = dict(os.environ) if self.inherit_env else {}
        env.update(self.env_vars or {})
        return env

    def execute_callable(self):
        import tempfile
        from leoflow.operators import SubprocessRunner
        python = self.python_path()
        with tempfile.TemporaryDirectory(prefix="venv-call") as folder:
            script = os.path.join(folder, "script.py")
            inputs = os.path.join(folder, "script.in")
            output = os.path.join(folder, "script.out")
            strings = os.path.join(folder, "string_args.txt")
            with open(script, "w") as handle:
                handle.write(_SCRIPT.format(serializer=self.serializer, function=function_source(self.python_callable),
                                            name=self.python_callable.__name__))
            with open(strings, "w") as handle:
                handle.write("\n".join(str(item) for item in self.string_args))
            self._write_arguments(inputs)
            self._runner = SubprocessRunner()
            exit_code, _ = self._runner.run([python, script, inputs, output, strings], self._environment(), folder)
            if exit_code in self.skip_on_exit_code:
                raise AirflowSkipException(f"Process exited with code {exit_code}. Skipping.")
            if exit_code != 0:
                raise AirflowException(f"Process returned non-zero exit status {exit_code}.")
            return self._read_result(output)

    def on_kill(self):
        runner = getattr(self, "_runner", None)
        if runner is not None:
            runner.kill()


class PythonVirtualenvOperator(_BasePythonVenvOperator):
    """Runs the callable in a virtualenv with `requirements` (made once, then reused)."""

    template_fields = ("templates_dict", "op_args", "op_kwargs", "requirements", "index_urls", "venv_cache_path")
    template_ext = (".txt",)

    def __init__(self, *, python_callable, requirements=None, python_version=None, system_site_packages=True,
                 pip_install_options=None, index_urls=None, venv_cache_path=None, **kwargs):
        super().__init__(python_callable=python_callable, **kwargs)
        if isinstance(requirements, str):
            requirements = [requirements]
        self.requirements = list(requirements or [])
        self.python_version = python_version
        self.system_site_packages = system_site_packages
        self.pip_install_options = list(pip_install_options or [])
        self.index_urls = index_urls
        self.venv_cache_path = venv_cache_path
        if self.serializer in ("dill", "cloudpickle") and self.serializer not in self.requirements:
            self.requirements.append(self.serializer)

    def _requirement_lines(self):
        lines = []
        for item in self.requirements:
            lines.extend(line.strip() for line in str(item).splitlines())
        return sorted({line for line in lines if line and not line.startswith("#")})

    def python_path(self):
        from leoflow.taskvenv import ensure_venv
        return ensure_venv(self._base_python(), self._requirement_lines(), self.system_site_packages,
                           self.pip_install_options, self.index_urls, self.venv_cache_path)

    def _base_python(self):
        if not self.python_version:
            return sys.executable
        import shutil
        found = shutil.which(f"python{self.python_version}")
        if found is None:
            raise AirflowException(f"Python {self.python_version} was not found on PATH (python{self.python_version})")
        return found


class ExternalPythonOperator(_BasePythonVenvOperator):
    """Runs the callable with an existing interpreter (`python`: the path of its executable)."""

    template_fields = ("python", "templates_dict", "op_args", "op_kwargs")

    def __init__(self, *, python, python_callable, **kwargs):
        if not python:
            raise ValueError("Python Path must be defined in ExternalPythonOperator")
        super().__init__(python_callable=python_callable, **kwargs)
        self.python = python

    def python_path(self):
        if not os.path.exists(self.python):
            raise ValueError(f"Python Path '{self.python}' must exist")
        return self.python


class BranchPythonVirtualenvOperator(PythonVirtualenvOperator, BranchMixIn):
    """A PythonVirtualenvOperator whose return value chooses the branch."""

    leoflow_kind = "branch"

    def execute(self, context):
        return self.do_branch(context, super().execute(context))


class BranchExternalPythonOperator(ExternalPythonOperator, BranchMixIn):
    """An ExternalPythonOperator whose return value chooses the branch."""

    leoflow_kind = "branch"

    def execute(self, context):
        return self.do_branch(context, super().execute(context))
