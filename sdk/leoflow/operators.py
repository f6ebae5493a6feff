"""The standard operators: Empty, Bash, Python, BranchPython and ShortCircuit, with Airflow's
execution semantics (what Airflow's providers.standard package does when a task runs)."""
from leoflow import signature
from leoflow.baseoperator import BaseOperator
from leoflow.errors import AirflowException, AirflowSkipException, DownstreamTasksSkipped

XCOM_SKIPMIXIN_KEY = "skipmixin_key"


def context_merge(context, *args, **kwargs):
    """Airflow's context_merge: op_kwargs (and templates_dict) become context keys."""
    for extra in args:
        context.update(extra or {})
    context.update(**kwargs)


def determine_kwargs(python_callable, op_args, context):
    """The context keys (and op_kwargs) that `python_callable` asks for, as Airflow passes them."""
    parameters = signature.parameters(python_callable)
    for name, kind in parameters[:len(op_args)]:
        if kind in (signature.KEYWORD_ONLY, signature.VAR_KEYWORD):
            continue
        if name in context:
            raise ValueError(f"The key {name!r} in args is a part of kwargs and therefore reserved.")
    if any(kind == signature.VAR_KEYWORD for _, kind in parameters):
        return context
    return {name: context[name] for name, _ in parameters if name in context}


class SkipMixin:
    """Marks tasks of the same run as skipped. As in Airflow 3, a task that skips others (unless it is
    mapped) ends there: DownstreamTasksSkipped makes it succeed without pushing its return value."""

    def _skip(self, ti, task_ids):
        if task_ids and ti.map_index == -1:
            raise DownstreamTasksSkipped(tasks=task_ids)

    def skip(self, ti, tasks):
        task_ids = [task.task_id for task in tasks]
        if not task_ids:
            return
        ti.xcom_push(key=XCOM_SKIPMIXIN_KEY, value={"skipped": task_ids})
        self._skip(ti, task_ids)

    def skip_all_except(self, ti, branch_task_ids):
        """Skip the direct downstream tasks that are not followed (nor downstream of a followed one)."""
        if isinstance(branch_task_ids, str):
            followed = {branch_task_ids}
        elif branch_task_ids is None:
            followed = set()
        elif hasattr(branch_task_ids, "__iter__"):
            followed = set(branch_task_ids)
            invalid = {(item, type(item).__name__) for item in followed if not isinstance(item, str)}
            if invalid:
                raise AirflowException(
                    "Unable to branch to the specified tasks. The branching function returned invalid "
                    f"'branch_task_ids': {invalid}. Please check that your function returns an Iterable of "
                    "valid task IDs that exist in your DAG.")
        else:
            raise AirflowException("'branch_task_ids' must be either None, a task ID, or an Iterable of IDs, "
                                   f"but got {type(branch_task_ids).__name__!r}.")
        dag = ti.task.dag
        invalid_ids = followed - set(dag.task_ids)
        if invalid_ids:
            raise AirflowException("'branch_task_ids' must contain only valid task_ids. "
                                   f"Invalid tasks found: {invalid_ids}.")
        downstream = ti.task.downstream_list
        if not downstream:
            return
        for task_id in list(followed):
            followed.update(dag.get_task(task_id).get_flat_relative_ids(upstream=False))
        skipped = [task.task_id for task in downstream if task.task_id not in followed]
        ti.xcom_push(key=XCOM_SKIPMIXIN_KEY,
                     value={"followed": [task.task_id for task in downstream if task.task_id in followed]})
        self._skip(ti, skipped)


class BranchMixIn(SkipMixin):
    """Turns a branch choice (task ids and/or task group ids) into skips."""

    def do_branch(self, context, branches_to_execute):
        if branches_to_execute is None:
            self.skip_all_except(context["ti"], None)
        else:
            self.skip_all_except(context["ti"], list(self._expand_task_group_roots(branches_to_execute)))
        return branches_to_execute

    def _expand_task_group_roots(self, branches):
        dag = self.dag
        if isinstance(branches, str) or not hasattr(branches, "__iter__"):
            branches = [branches]
        for branch in branches:
            resolved = self._resolve_branch_id(dag, branch)
            if resolved in dag.task_group_dict:
                yield from (root.task_id for root in dag.task_group_dict[resolved].roots)
            else:
                yield resolved

    def _resolve_branch_id(self, dag, branch):
        # Ids relative to the branching task's own group are accepted, as in Airflow.
        if branch in dag.task_group_dict or branch in dag.task_dict:
            return branch
        group = self.task_group
        if group is not None and group.group_id and group.prefix_group_id:
            candidate = f"{group.group_id}.{branch}"
            if candidate in dag.task_group_dict or candidate in dag.task_dict:
                return candidate
        return branch


class EmptyOperator(BaseOperator):
    """Does nothing; the engine marks it successful without starting a process."""

    ui_color = "#e8f7e4"

    @property
    def leoflow_kind(self):
        # As Airflow's scheduler: callbacks need a task process, otherwise nothing runs at all.
        if self.on_execute_callback or self.on_success_callback:
            return "python"
        return "empty"

    def execute(self, context):
        pass


class BaseBranchOperator(BaseOperator, BranchMixIn):
    """Base for operators whose choose_branch() picks the downstream tasks to follow."""

    leoflow_kind = "branch"

    def choose_branch(self, context):
        raise NotImplementedError

    def execute(self, context):
        return self.do_branch(context, self.choose_branch(context))


class PythonOperator(BaseOperator):
    """Calls a Python callable with op_args, op_kwargs and the context keys it names."""

    template_fields = ("templates_dict", "op_args", "op_kwargs")
    template_fields_renderers = {"templates_dict": "json", "op_args": "py", "op_kwargs": "py"}
    ui_color = "#ffefeb"

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, templates_dict=None,
                 templates_exts=None, show_return_value_in_logs=True, **kwargs):
        super().__init__(**kwargs)
        if not callable(python_callable):
            raise AirflowException("`python_callable` param must be callable")
        self.python_callable = python_callable
        self.op_args = op_args or ()
        self.op_kwargs = op_kwargs or {}
        self.templates_dict = templates_dict
        if templates_exts:
            self.template_ext = templates_exts
        self.show_return_value_in_logs = show_return_value_in_logs

    def execute(self, context):
        context_merge(context, self.op_kwargs, templates_dict=self.templates_dict)
        self.op_kwargs = determine_kwargs(self.python_callable, self.op_args, context)
        return_value = self.execute_callable()
        if self.show_return_value_in_logs:
            self.log.info("Done. Returned value was: %s", return_value)
        else:
            self.log.info("Done. Returned value not shown")
        return return_value

    def execute_callable(self):
        return self.python_callable(*self.op_args, **self.op_kwargs)


class BranchPythonOperator(PythonOperator, BranchMixIn):
    """A PythonOperator whose return value (task id(s) or group id(s)) chooses the branch."""

    leoflow_kind = "branch"

    def execute(self, context):
        return self.do_branch(context, PythonOperator.execute(self, context))


class ShortCircuitOperator(PythonOperator, SkipMixin):
    """A falsy result skips the downstream tasks (all of them, or only the direct ones)."""

    leoflow_kind = "short_circuit"

    def __init__(self, *, ignore_downstream_trigger_rules=True, **kwargs):
        super().__init__(**kwargs)
        self.ignore_downstream_trigger_rules = ignore_downstream_trigger_rules

    def execute(self, context):
        condition = super().execute(context)
        self.log.info("Condition result is %s", condition)
        if condition:
            self.log.info("Proceeding with downstream tasks...")
            return condition
        if not self.downstream_task_ids:
            self.log.info("No downstream tasks; nothing to do.")
            return condition
        if self.ignore_downstream_trigger_rules:
            to_skip = self.get_flat_relatives(upstream=False)
        else:
            to_skip = self.get_direct_relatives(upstream=False)
        self.log.info("Skipping downstream tasks")
        self.skip(context["ti"], to_skip)
        self.log.info("Done.")
        return None


class BashOperator(BaseOperator):
    """Runs a Bash command; the last line of its output is the XCom; exit 99 skips."""

    template_fields = ("bash_command", "env", "cwd")
    template_fields_renderers = {"bash_command": "bash", "env": "json"}
    template_ext = (".sh", ".bash")
    ui_color = "#f0ede4"
    leoflow_kind = "bash"

    def __init__(self, *, bash_command, env=None, append_env=False, output_encoding="utf-8",
                 skip_on_exit_code=99, cwd=None, output_processor=lambda result: result, **kwargs):
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.output_encoding = output_encoding
        if skip_on_exit_code is None:
            self.skip_on_exit_code = []
        elif isinstance(skip_on_exit_code, (list, tuple, set, frozenset, range)):
            self.skip_on_exit_code = skip_on_exit_code
        else:
            self.skip_on_exit_code = [skip_on_exit_code]
        self.cwd = cwd
        self.append_env = append_env
        self.output_processor = output_processor
        self._unrendered_bash_command = bash_command
        self._runner = None

    def get_env(self, context):
        import os
        system_env = os.environ.copy()
        env = self.env
        if env is None:
            env = system_env
        elif self.append_env:
            system_env.update(env)
            env = system_env
        else:
            env = dict(env)
        env.update(context_to_airflow_vars(context))
        return env

    def execute(self, context):
        import os
        import shutil
        bash_path = shutil.which("bash") or "bash"
        if self.cwd is not None:
            if not os.path.exists(self.cwd):
                raise AirflowException(f"Can not find the cwd: {self.cwd}")
            if not os.path.isdir(self.cwd):
                raise AirflowException(f"The cwd {self.cwd} must be a directory")
        env = self.get_env(context)
        unrendered = self._unrendered_bash_command
        if isinstance(unrendered, str) and unrendered.endswith(tuple(self.template_ext)):
            exit_code, output = self._run_script_file(bash_path, env)
        else:
            exit_code, output = self._run_command([bash_path, "-c", self.bash_command], env, self.cwd)
        if exit_code in self.skip_on_exit_code:
            raise AirflowSkipException(f"Bash command returned exit code {exit_code}. Skipping.")
        if exit_code != 0:
            raise AirflowException(
                f"Bash command failed. The command returned a non-zero exit code {exit_code}.")
        return self.output_processor(output)

    def _run_script_file(self, bash_path, env):
        import os
        import tempfile
        with _working_directory(self.cwd) as cwd:
            with tempfile.NamedTemporaryFile(mode="w", dir=cwd, suffix=".sh") as script:
                script.write(self.bash_command)
                script.flush()
                return self._run_command([bash_path, os.path.basename(script.name)], env, cwd)

    def _run_command(self, command, env, cwd):
        self._runner = SubprocessRunner(self.output_encoding)
        return self._runner.run(command, env, cwd)

    def on_kill(self):
        if self._runner is not None:
            self._runner.kill()


class SubprocessRunner:
    """Runs a command in its own session, streaming its output lines (as Airflow's SubprocessHook)."""

    def __init__(self, output_encoding="utf-8"):
        self.output_encoding = output_encoding
        self.process = None

    def run(self, command, env, cwd):
        """(exit code, last output line); with no cwd the command runs in a temporary directory."""
        import subprocess
        import sys
        with _working_directory(cwd) as workdir:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                            cwd=workdir, env=env, start_new_session=True)
            line = ""
            for raw_line in iter(self.process.stdout.readline, b""):
                line = raw_line.decode(self.output_encoding, errors="backslashreplace").rstrip()
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            self.process.wait()
            return self.process.returncode, line

    def kill(self):
        import os
        import signal
        if self.process is not None and self.process.poll() is None:
            os.killpg(os.getpgid(self.process.pid), signal.SIGTERM)


class _working_directory:
    """The given cwd, or a temporary directory removed afterwards (as Airflow's SubprocessHook)."""

    def __init__(self, cwd):
        self.cwd = cwd
        self.temporary = None

    def __enter__(self):
        if self.cwd is not None:
            return self.cwd
        import tempfile
        self.temporary = tempfile.TemporaryDirectory(prefix="airflowtmp")
        return self.temporary.name

    def __exit__(self, *exc_info):
        if self.temporary is not None:
            self.temporary.cleanup()


def context_to_airflow_vars(context):
    """The AIRFLOW_CTX_* variables Airflow exports to subprocesses."""
    ti = context.get("ti")
    task = context.get("task")
    dag_run = context.get("dag_run")
    values = {}
    if task is not None:
        if task.owner:
            values["AIRFLOW_CTX_DAG_OWNER"] = task.owner if isinstance(task.owner, str) else ",".join(task.owner)
        if task.email:
            values["AIRFLOW_CTX_DAG_EMAIL"] = task.email if isinstance(task.email, str) else ",".join(task.email)
        values["AIRFLOW_CTX_DAG_ID"] = task.dag_id
        values["AIRFLOW_CTX_TASK_ID"] = task.task_id
    if dag_run is not None:
        if dag_run.logical_date is not None:
            values["AIRFLOW_CTX_LOGICAL_DATE"] = dag_run.logical_date.isoformat()
        values["AIRFLOW_CTX_DAG_RUN_ID"] = dag_run.run_id
    if ti is not None:
        values["AIRFLOW_CTX_TRY_NUMBER"] = str(ti.try_number)
    return values
