"""One task try: load the DAG, find the task, build its context, render, execute, collect the result.
Outcomes follow Airflow: AirflowSkipException -> skipped, AirflowFailException -> failed without
retry, other exceptions -> failed; return values become XComs; branches and short-circuits skip."""
import os
import sys

# The interpreter's own signal core: the `signal` module on top of it imports `enum`.
import _signal as signal
from leoflow.callsite import SDK_ROOT
from leoflow.context import pop_context, push_context, run_state
from leoflow.errors import (AirflowException, AirflowFailException, AirflowRescheduleException, AirflowSkipException,
                            AirflowTaskTimeout, DownstreamTasksSkipped)
from leoflow.loader import collect_dags, load_dag_file
from leoflow.tasklog import TaskLogger
from leoflow.xcom_arg import XCOM_RETURN_KEY
from leoflow_runtime.context import build_context, process_params
from leoflow_runtime.instance import DagRun, RuntimeTaskInstance
from leoflow_runtime.logconfig import configure_task_logging
from leoflow_runtime.mapping import mapped_arguments
from leoflow_runtime.templating import Renderer, render_template_fields, resolve_references

log = TaskLogger("airflow.task")


def _print_traceback(error):
    """The full traceback on stderr (into the task log), the runtime's own leading frames trimmed."""
    import traceback
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(SDK_ROOT):
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb or error.__traceback__, file=sys.stderr)
    sys.stderr.flush()


def _error_line(error):
    import traceback
    return traceback.format_exception_only(type(error), error)[-1].strip()


def _run_callbacks(task, name, context):
    """Run the task's callback(s) `name` with the context; a failing callback is logged, nothing more."""
    callbacks = getattr(task, name, None)
    if not callbacks:
        return
    for callback in callbacks if isinstance(callbacks, (list, tuple)) else [callbacks]:
        try:
            callback(context)
        except Exception:
            log.exception("Error when executing %s callback", name)


def _execute(task, ti, context):
    """pre_execute, execute, post_execute: the return value; None when the task skipped downstream
    tasks (Airflow 3 pushes nothing then)."""
    try:
        task.pre_execute(context)
        value = task.execute(context)
        task.post_execute(context, value)
        return value
    except DownstreamTasksSkipped as skipped:
        log.info("Skipping downstream tasks.")
        ti.skip_tasks(skipped.tasks)
        return None


def _push_return_value(task, ti, value):
    if not task.do_xcom_push or value is None:
        return
    if task.multiple_outputs:
        if not isinstance(value, dict):
            raise TypeError(f"Returned output was type {type(value)} expected dictionary for multiple_outputs")
        for key in value:
            if not isinstance(key, str):
                raise TypeError("Returned dictionary keys must be strings when using multiple_outputs, "
                                f"found {key} ({type(key)}) instead")
        for key, item in value.items():
            ti.xcom_push(key, item)
    ti.xcom_push(XCOM_RETURN_KEY, value)


def _find_task(payload):
    module = load_dag_file(payload["dag_file"], payload.get("dag_source"))
    dags = {dag.dag_id: dag for dag in collect_dags(module)}
    if payload["dag_id"] not in dags:
        raise AirflowException(f"Dag {payload['dag_id']!r} could not be found in {payload['dag_file']}")
    dag = dags[payload["dag_id"]]
    return dag, dag.get_task(payload["task_id"])


def _on_sigterm(task_holder):
    def handler(signum, frame):
        task = task_holder.get("task")
        if task is not None and hasattr(task, "on_kill"):
            task.on_kill()
        raise AirflowException("Task received SIGTERM signal")
    return handler


class _ExecutionTimeout:
    """Raises AirflowTaskTimeout in the task when its execution_timeout passes, as Airflow does."""

    def __init__(self, timeout):
        self.seconds = timeout.total_seconds() if timeout is not None else None

    def _expired(self, signum, frame):
        raise AirflowTaskTimeout(f"Timeout, PID: {os.getpid()}")

    def __enter__(self):
        if self.seconds is not None:
            signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, max(self.seconds, 0.001))

    def __exit__(self, *exc_info):
        if self.seconds is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _render_map_index(ti, template):
    """The map index's display name, rendered after execute() as Airflow does (None when it fails)."""
    try:
        return str(ti.renderer(template))
    except Exception:
        log.exception("Unable to render the map index template %s", template)
        return None


def run_dag_callback(payload):
    """Run a DAG's on_success_callback / on_failure_callback (payload "dag_callback": its name) with
    the run's context, as Airflow's DAG processor does; their errors are logged, the state is the engine's."""
    result = {"state": "success", "xcoms": [], "skip_task_ids": [], "no_retry": False, "error": None,
              "variables_set": {}, "rendered_fields": {}}
    try:
        module = load_dag_file(payload["dag_file"], payload.get("dag_source"))
        dags = {dag.dag_id: dag for dag in collect_dags(module)}
        dag = dags[payload["dag_id"]]
        dag_run = DagRun(payload)
        dag_run.state = "success" if payload["dag_callback"] == "on_success_callback" else "failed"
        task = dag.get_task(payload["task_id"]) if payload.get("task_id") else None
        context = {"dag": dag, "dag_run": dag_run, "run_id": dag_run.run_id, "reason": payload.get("reason"),
                   "params": process_params(dag, task, dag_run.conf),
                   "logical_date": dag_run.logical_date}
        if task is not None:
            context["task"] = task
            context["ti"] = context["task_instance"] = RuntimeTaskInstance(task, dag_run, payload)
        if payload["dag_callback"] not in ("on_success_callback", "on_failure_callback"):
            raise ValueError(f"unknown DAG callback {payload['dag_callback']!r}")
    except BaseException as error:
        _print_traceback(error)
        result.update(state="failed", error=_error_line(error))
        return result
    _run_callbacks(dag, payload["dag_callback"], context)
    return result


def run_task(payload):
    """Run the try described by `payload` (the engine's task context); the result dict."""
    configure_task_logging()
    run_state.variables = dict(payload.get("variables") or {})
    run_state.connections = dict(payload.get("connections") or {})
    os.chdir(os.path.dirname(os.path.abspath(payload["dag_file"])))
    if payload.get("dag_callback"):
        return run_dag_callback(payload)
    result = {"state": "failed", "xcoms": [], "skip_task_ids": [], "no_retry": False, "error": None,
              "variables_set": {}, "rendered_fields": {}}
    holder = {}
    signal.signal(signal.SIGTERM, _on_sigterm(holder))
    ti = None
    task = None
    context = None
    try:
        dag, task = _find_task(payload)
        dag_run = DagRun(payload)
        ti = RuntimeTaskInstance(task, dag_run, payload)
        params = process_params(dag, task, dag_run.conf)
        context = build_context(ti, dag_run, dag, task, params)
        ti.context = context
        if task.is_mapped:
            resolve = lambda value: resolve_references(value, context)
            task = task.unmap(mapped_arguments(task, ti.map_index, resolve), resolve)
            ti.task = task
            context["task"] = task
        holder["task"] = task
        renderer = Renderer(dag, context)
        ti.renderer = renderer.render
        result["rendered_fields"] = render_template_fields(task, renderer)
        push_context(context)
        try:
            _run_callbacks(task, "on_execute_callback", context)
            with _ExecutionTimeout(task.execution_timeout):
                value = _execute(task, ti, context)
        finally:
            pop_context()
        _push_return_value(task, ti, value)
        result["state"] = "success"
        _run_callbacks(task, "on_success_callback", context)
    except AirflowRescheduleException as error:
        from leoflow.timeutil import rfc3339
        log.info("Rescheduling task, marking task as UP_FOR_RESCHEDULE")
        result["state"] = "up_for_reschedule"
        result["reschedule_date"] = rfc3339(error.reschedule_date)
    except AirflowSkipException as error:
        log.info("Skipping task. %s", error)
        result["state"] = "skipped"
        if context is not None:
            _run_callbacks(task, "on_skipped_callback", context)
    except BaseException as error:
        if isinstance(error, AirflowTaskTimeout) and hasattr(task, "on_kill"):
            task.on_kill()
        _print_traceback(error)
        result["error"] = _error_line(error)
        result["no_retry"] = isinstance(error, AirflowFailException)
        if context is not None:
            context["exception"] = error
            retrying = not result["no_retry"] and ti.try_number <= ti.max_tries
            _run_callbacks(task, "on_retry_callback" if retrying else "on_failure_callback", context)
            if task.email and (task.email_on_retry if retrying else task.email_on_failure):
                from leoflow_runtime.notify import send_failure_email
                send_failure_email(task, ti, error, retrying)
    if ti is not None:
        result["xcoms"] = [{"key": key, "value": value} for key, value in ti.pushed.items()]
        result["skip_task_ids"] = list(ti.skipped)
        if ti.trigger_dag_run is not None and result["state"] == "success":
            result["trigger_dag_run"] = ti.trigger_dag_run
    if result["state"] == "success" and context is not None:
        events = context["outlet_events"].events(task.outlets)
        if events:
            result["asset_events"] = events
    if context is not None and context.get("map_index_template") and ti.map_index >= 0:
        result["rendered_map_index"] = _render_map_index(ti, context["map_index_template"])
    result["variables_set"] = dict(run_state.variables_set)
    return result
