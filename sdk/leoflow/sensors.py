"""Sensors in poke mode: BaseSensorOperator, PythonSensor, BashSensor and PokeReturnValue.

The task process pokes every poke_interval until the condition holds or the timeout
passes (AirflowSensorTimeout, or a skip with soft_fail); mode="reschedule" is refused.
"""
import time
from datetime import timedelta

from leoflow.baseoperator import BaseOperator
from leoflow.errors import AirflowException, AirflowSensorTimeout, AirflowSkipException, unsupported
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

    def __init__(self, *, poke_interval=60, timeout=60 * 60 * 24 * 7, soft_fail=False, mode="poke",
                 exponential_backoff=False, max_wait=None, silent_fail=False, never_fail=False, **kwargs):
        super().__init__(**kwargs)
        if mode == "reschedule":
            raise unsupported("sensors in mode='reschedule'")
        if mode != "poke":
            raise AirflowException(f"The mode must be one of ('poke', 'reschedule'),'{self.dag_id}.{self.task_id}'; "
                                   f"received '{mode}'.")
        if exponential_backoff:
            raise unsupported("exponential_backoff=True")
        self.poke_interval = _seconds(poke_interval, "poke_interval")
        self.timeout = _seconds(timeout, "timeout")
        self.soft_fail = soft_fail
        self.mode = mode
        self.silent_fail = silent_fail
        self.never_fail = never_fail
        self.max_wait = max_wait

    def poke(self, context):
        raise AirflowException("Override me.")

    def execute(self, context):
        started = time.monotonic()
        while True:
            try:
                result = self.poke(context)
            except (AirflowSensorTimeout, AirflowSkipException):
                raise
            except Exception:
                if not self.silent_fail:
                    raise
                self.log.exception("Sensor poke failed; silent_fail lets it poke again")
                result = False
            if result:
                return result.xcom_value if isinstance(result, PokeReturnValue) else None
            elapsed = time.monotonic() - started
            if elapsed >= self.timeout:
                message = (f"Sensor has timed out; run duration of {elapsed} seconds exceeds the specified "
                           f"timeout of {self.timeout}.")
                if self.soft_fail or self.never_fail:
                    raise AirflowSkipException(message)
                raise AirflowSensorTimeout(message)
            time.sleep(min(self.poke_interval, max(self.timeout - elapsed, 0)))


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
