"""TriggerDagRunOperator. The runtime renders the request and hands it to the engine in the try's
result (`trigger_dag_run`), which creates the run; it needs the engine, so it stays refused until
the engine enables "trigger_dagrun" (features.py, docs/contracts.md)."""
from leoflow import features
from leoflow.baseoperator import BaseOperator
from leoflow.timeutil import rfc3339, to_utc

XCOM_RUN_ID = "trigger_run_id"


class TriggerDagRunOperator(BaseOperator):
    """Triggers a run of `trigger_dag_id` with `conf`, optionally waiting for it to finish."""

    template_fields = ("trigger_dag_id", "trigger_run_id", "logical_date", "conf", "wait_for_completion",
                       "skip_when_already_exists")
    template_fields_renderers = {"conf": "py"}
    ui_color = "#ffefeb"

    def __init__(self, *, trigger_dag_id, trigger_run_id=None, conf=None, logical_date=None, reset_dag_run=False,
                 wait_for_completion=False, poke_interval=60, allowed_states=None, failed_states=None,
                 skip_when_already_exists=False, fail_when_dag_is_paused=False, **kwargs):
        features.require("trigger_dagrun", "TriggerDagRunOperator")
        super().__init__(**kwargs)
        self.trigger_dag_id = trigger_dag_id
        self.trigger_run_id = trigger_run_id
        self.conf = conf
        self.logical_date = logical_date
        self.reset_dag_run = reset_dag_run
        self.wait_for_completion = wait_for_completion
        self.poke_interval = poke_interval
        self.allowed_states = [str(s) for s in allowed_states] if allowed_states else ["success"]
        self.failed_states = [str(s) for s in failed_states] if failed_states else ["failed"]
        self.skip_when_already_exists = skip_when_already_exists
        self.fail_when_dag_is_paused = fail_when_dag_is_paused

    def execute(self, context):
        from datetime import datetime
        from leoflow.timeutil import UTC
        from leoflow.jsonin import loads
        from leoflow.jsonout import dumps
        logical_date = to_utc(self.logical_date) if self.logical_date else None
        run_after = logical_date or datetime.now(UTC)
        run_id = self.trigger_run_id or f"manual__{run_after.isoformat()}"
        conf = self.conf or {}
        if not isinstance(conf, dict):
            raise TypeError("conf must be a dict")
        conf = loads(dumps(conf))
        context["ti"].trigger_dag_run = {
            "dag_id": self.trigger_dag_id, "run_id": run_id, "conf": conf, "logical_date": rfc3339(logical_date),
            "reset_dag_run": bool(self.reset_dag_run), "skip_when_already_exists": bool(self.skip_when_already_exists),
            "fail_when_dag_is_paused": bool(self.fail_when_dag_is_paused),
            "wait_for_completion": bool(self.wait_for_completion), "poke_interval": self.poke_interval,
            "allowed_states": self.allowed_states, "failed_states": self.failed_states,
        }
        context["ti"].xcom_push(XCOM_RUN_ID, run_id)
        self.log.info("Triggering Dag Run %s of %s", run_id, self.trigger_dag_id)
        return None
