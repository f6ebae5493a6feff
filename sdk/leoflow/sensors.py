"""Sensors: BaseSensorOperator, PythonSensor, BashSensor, FileSensor, TimeDeltaSensor, DateTimeSensor
and PokeReturnValue, with Airflow 3's timeout, poke_interval, exponential_backoff, soft_fail,
silent_fail and never_fail. In mode="poke" the task process pokes until done; mode="reschedule"
pokes once per try and asks the engine for another try later (needs the engine: features.py).
"""
import time
from datetime import timedelta

from leoflow import features
from leoflow.baseoperator import BaseOperator
from leoflow.errors import (AirflowException, AirflowFailException, AirflowRescheduleException, AirflowSensorTimeout,
                            AirflowSkipException, AirflowTaskTimeout)
from leoflow.operators import SubprocessRunner, context_merge, determine_kwargs


class PokeReturnValue:
    """What poke() may return: whether the sensor is done, and the XCom value to push."""

    def __init__(self, is_done, xcom_value=None):
        self.is_done = is_done
        self.xcom_value = xcom_value

    def __bool__(self):
        return bool(self.is_done)


def _seconds(value, name):
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise AirflowException(f"Operator arg `{name}` must be timedelta object or a non-negative number")


class BaseSensorOperator(BaseOperator):
    """Base of sensors: subclasses implement poke(context)."""

    ui_color = "#e6f1f2"
    leoflow_kind = "sensor"
    valid_modes = ("poke", "reschedule")

    def __init__(self, *, poke_interval=60, timeout=60 * 60 * 24 * 7, soft_fail=False, mode="poke",
                 exponential_backoff=False, max_wait=None, silent_fail=False, never_fail=False, **kwargs):
        super().__init__(**kwargs)
        if mode not in self.valid_modes:
            raise AirflowException(f"The mode must be one of {self.valid_modes},'{self.dag_id}.{self.task_id}'; "
                                   f"received '{mode}'.")
        if mode == "reschedule":
            features.require("sensor_reschedule", "sensors in mode='reschedule'")
        if soft_fail and never_fail:
            raise ValueError("soft_fail and never_fail are mutually exclusive, you can not provide both.")
        self.poke_interval = _seconds(poke_interval, "poke_interval")
        self.timeout = _seconds(timeout, "timeout")
        self.soft_fail = soft_fail
        self.mode = mode
        self.exponential_backoff = bool(exponential_backoff)
        self.max_wait = None if max_wait is None else _seconds(max_wait, "max_wait")
        self.silent_fail = silent_fail
        self.never_fail = never_fail

    @property
    def reschedule(self):
        return self.mode == "reschedule"

    def poke(self, context):
        raise AirflowException("Override me.")

    def _next_poke_interval(self, started_at, run_duration, poke_count):
        """Airflow's interval before the next poke: poke_interval, or with exponential_backoff a
        doubling, per-try-jittered wait of at least one second, capped by max_wait and the timeout."""
        if not self.exponential_backoff:
            return self.poke_interval
        import hashlib
        min_backoff = max(int(self.poke_interval * (2 ** (poke_count - 2))), 1)
        run_hash = int(hashlib.sha1(f"{self.dag_id}#{self.task_id}#{started_at}#{poke_count}".encode())
                       .hexdigest(), 16)
        interval = min(self.timeout - int(run_duration), min_backoff + run_hash % min_backoff)
        if self.max_wait is not None:
            interval = min(self.max_wait, interval)
        self.log.info("new %s interval is %s", self.mode, interval)
        return interval

    def _poke_once(self, context):
        try:
            return self.poke(context)
        except (AirflowSensorTimeout, AirflowTaskTimeout, AirflowFailException) as error:
            if self.soft_fail:
                raise AirflowSkipException("Skipping due to soft_fail is set to True.") from error
            if self.never_fail:
                raise AirflowSkipException("Skipping due to never_fail is set to True.") from error
            raise
        except AirflowSkipException:
            raise
        except Exception as error:
            if self.silent_fail:
                self.log.exception("Sensor poke failed; silent_fail lets it poke again")
                return False
            if self.never_fail:
                raise AirflowSkipException("Skipping due to never_fail is set to True.") from error
            raise

    def _timed_out(self, run_duration):
        message = (f"Sensor has timed out; run duration of {run_duration} seconds exceeds the specified "
                   f"timeout of {self.timeout}.")
        # As Airflow: soft_fail skips a timeout, never_fail only covers errors of poke().
        if self.soft_fail:
            raise AirflowSkipException(message)
        raise AirflowSensorTimeout(message)

    def execute(self, context):
        if self.reschedule:
            return self._execute_rescheduled(context)
        started = time.monotonic()
        started_at = context["ti"].start_date
        poke_count = 1
        while True:
            result = self._poke_once(context)
            if result:
                return result.xcom_value if isinstance(result, PokeReturnValue) else None
            elapsed = time.monotonic() - started
            if elapsed > self.timeout:
                self._timed_out(elapsed)
            interval = self._next_poke_interval(started_at, elapsed, poke_count)
            time.sleep(max(min(interval, self.timeout - elapsed), 0))
            poke_count += 1

    def _execute_rescheduled(self, context):
        """One poke per try; the engine passes when the first try started and how many came before."""
        from datetime import datetime
        from leoflow.timeutil import UTC
        ti = context["ti"]
        # The first try of a rescheduled sensor starts the clock its timeout runs on.
        first_start = ti.first_reschedule_start or datetime.now(UTC)
        poke_count = ti.reschedule_count + 1
        result = self._poke_once(context)
        if result:
            return result.xcom_value if isinstance(result, PokeReturnValue) else None
        now = datetime.now(UTC)
        elapsed = (now - first_start).total_seconds()
        if elapsed > self.timeout:
            self._timed_out(elapsed)
        interval = self._next_poke_interval(first_start, elapsed, poke_count)
        raise AirflowRescheduleException(now + timedelta(seconds=max(interval, 0)))


class PythonSensor(BaseSensorOperator):
    """Pokes a Python callable until it returns a truthy value (or a PokeReturnValue that is done)."""

    template_fields = ("templates_dict", "op_args", "op_kwargs")

    def __init__(self, *, python_callable, op_args=None, op_kwargs=None, templates_dict=None, **kwargs):
        super().__init__(**kwargs)
        self.python_callable = python_callable
        self.op_args = op_args or []
        self.op_kwargs = op_kwargs or {}
        self.templates_dict = templates_dict

    def poke(self, context):
        context_merge(context, self.op_kwargs, templates_dict=self.templates_dict)
        self.op_kwargs = determine_kwargs(self.python_callable, self.op_args, context)
        self.log.info("Poking callable: %s", getattr(self.python_callable, "__name__", self.python_callable))
        result = self.python_callable(*self.op_args, **self.op_kwargs)
        return result if isinstance(result, PokeReturnValue) else PokeReturnValue(bool(result))


class BashSensor(BaseSensorOperator):
    """Pokes a Bash command until it exits 0 (retry_exit_code, when set, keeps poking on that code)."""

    template_fields = ("bash_command", "env")

    def __init__(self, *, bash_command, env=None, output_encoding="utf-8", retry_exit_code=None, **kwargs):
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.output_encoding = output_encoding
        self.retry_exit_code = retry_exit_code
        self._runner = None

    def poke(self, context):
        import shutil
        self.log.info("Running command: %s", self.bash_command)
        self._runner = SubprocessRunner(self.output_encoding)
        env = dict(self.env) if self.env is not None else None
        exit_code, _ = self._runner.run([shutil.which("bash") or "bash", "-c", self.bash_command], env, None)
        self.log.info("Command exited with return code %s", exit_code)
        if exit_code == 0:
            return True
        if self.retry_exit_code is not None and exit_code != self.retry_exit_code:
            raise AirflowException(f"Command exited with return code {exit_code}")
        return False

    def on_kill(self):
        if self._runner is not None:
            self._runner.kill()


class FileSensor(BaseSensorOperator):
    """Waits for a file, or a folder holding a file, to exist (glob patterns too). The path is
    relative to the fs connection's `path` extra (fs_default: none, so relative to the DAG folder)."""

    template_fields = ("filepath",)
    ui_color = "#91818a"

    def __init__(self, *, filepath, fs_conn_id="fs_default", recursive=False, **kwargs):
        super().__init__(**kwargs)
        self.filepath = filepath
        self.fs_conn_id = fs_conn_id
        self.recursive = recursive

    def _base_path(self):
        from leoflow.errors import AirflowNotFoundException
        from leoflow.models import Connection
        try:
            return Connection.get(self.fs_conn_id).extra_dejson.get("path", "")
        except AirflowNotFoundException:
            if self.fs_conn_id == "fs_default":
                return ""
            raise

    def poke(self, context):
        import glob
        import os
        full_path = os.path.join(self._base_path(), self.filepath)
        self.log.info("Poking for file %s", full_path)
        for path in glob.glob(full_path, recursive=self.recursive):
            if os.path.isfile(path):
                self.log.info("Found File %s last modified: %s", path, time.ctime(os.path.getmtime(path)))
                return True
            for _, _, files in os.walk(path):
                if files:
                    return True
        return False


class TimeDeltaSensor(BaseSensorOperator):
    """Waits until `delta` after the run's data interval end (its run_after when it has none)."""

    def __init__(self, *, delta, **kwargs):
        super().__init__(**kwargs)
        self.delta = delta

    def poke(self, context):
        from datetime import datetime
        from leoflow.timeutil import UTC
        base_time = context.get("data_interval_end") or context["dag_run"].run_after
        self.log.info("Checking if the delta has elapsed base_time=%s, delta=%s", base_time, self.delta)
        return datetime.now(UTC) > base_time + self.delta


class DateTimeSensor(BaseSensorOperator):
    """Waits until `target_time` (a datetime, or a templated string giving one; naive is UTC)."""

    template_fields = ("target_time",)

    def __init__(self, *, target_time, **kwargs):
        super().__init__(**kwargs)
        from datetime import datetime
        if isinstance(target_time, datetime):
            self.target_time = target_time.isoformat()
        elif isinstance(target_time, str):
            self.target_time = target_time
        else:
            raise TypeError(f"Expected str or datetime.datetime type for target_time. Got {type(target_time)}")

    def poke(self, context):
        from datetime import datetime
        from leoflow.timeutil import UTC, parse_datetime
        self.log.info("Checking if the time (%s) has come", self.target_time)
        return datetime.now(UTC) > parse_datetime(self.target_time)
