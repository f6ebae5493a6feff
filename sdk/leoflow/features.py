"""Features whose Python side is done but which need the engine (C++) too. Each stays refused with
the usual "not supported" error until the engine names it in LEOFLOW_FEATURES (comma-separated)
when it starts the parser and the runtime, so users never see half a feature."""
import os

from leoflow.errors import unsupported

# The switches, and what each lets through (docs/contracts.md, "Engine features").
KNOWN = frozenset({
    "setup_teardown",        # @setup/@teardown, as_setup()/as_teardown(), on_failure_fail_dagrun
    "assets",                # Asset/AssetAlias/Dataset outlets, inlets and asset schedules
    "xcomarg_transforms",    # XComArg.map(), .zip(), .concat()
    "mapped_task_groups",    # @task_group.expand/.expand_kwargs/.partial
    "map_index_template",    # map_index_template on tasks
    "timetables",            # CronTriggerTimetable, DeltaTriggerTimetable, MultipleCronTriggerTimetable, EventsTimetable
    "task_concurrency",      # max_active_tis_per_dag, max_active_tis_per_dagrun
    "dag_callbacks",         # DAG on_success_callback / on_failure_callback
    "sensor_reschedule",     # sensors in mode="reschedule"
    "trigger_dagrun",        # TriggerDagRunOperator
})


def enabled_features():
    text = os.environ.get("LEOFLOW_FEATURES", "")
    return {name.strip() for name in text.split(",") if name.strip()}


def enabled(name):
    return name in enabled_features()


def require(name, what):
    """Refuse `what` (the user's construct, as the error names it) unless the engine enabled `name`."""
    if name not in enabled_features():
        raise unsupported(what)
