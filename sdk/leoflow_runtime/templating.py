"""Renders an operator's template_fields with real Jinja2, as Airflow does; XComArgs and
DagParams in them are resolved first, and jinja2 is imported only when something needs rendering."""
from leoflow.dag import DagParam
from leoflow.taskgroup import MappedArgument
from leoflow.jsonin import loads
from leoflow.jsonout import dumps
from leoflow.xcom_arg import XComArg
from leoflow_runtime.pylib import import_jinja2

_MARKERS = ("{{", "{%", "{#")


def resolve_references(value, context):
    """`value` with every XComArg, DagParam and MappedArgument (at any depth) replaced by what it stands for."""
    if isinstance(value, (XComArg, DagParam, MappedArgument)):
        return value.resolve(context)
    if isinstance(value, list):
        return [resolve_references(item, context) for item in value]
    if isinstance(value, tuple):
        return tuple(resolve_references(item, context) for item in value)
    if isinstance(value, dict):
        return {key: resolve_references(item, context) for key, item in value.items()}
    return value


def _filters():
    return {
        "ds": lambda value: value.strftime("%Y-%m-%d"),
        "ds_nodash": lambda value: value.strftime("%Y%m%d"),
        "ts": lambda value: value.isoformat(),
        "ts_nodash": lambda value: value.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": lambda value: value.isoformat().replace("-", "").replace(":", ""),
    }


class Renderer:
    """Renders values for one task with the DAG's Jinja environment and the task's context."""

    def __init__(self, dag, context):
        self.dag = dag
        self.context = context
        self._env = None

    @property
    def native(self):
        return self.dag.render_template_as_native_obj

    def environment(self):
        if self._env is None:
            jinja2 = import_jinja2()
            import jinja2.ext
            import jinja2.sandbox
            searchpath = [self.dag.folder] + list(self.dag.template_searchpath)
            options = {"loader": jinja2.FileSystemLoader(searchpath),
                       "undefined": self.dag.template_undefined or jinja2.StrictUndefined,
                       "extensions": ["jinja2.ext.do"], "cache_size": 0}
            options.update(self.dag.jinja_environment_kwargs or {})
            if self.native:
                import jinja2.nativetypes
                env = jinja2.nativetypes.NativeEnvironment(**options)
            else:
                env = jinja2.sandbox.SandboxedEnvironment(**options)
            env.filters.update(_filters())
            env.globals.update(self.dag.user_defined_macros or {})
            env.filters.update(self.dag.user_defined_filters or {})
            self._env = env
        return self._env

    def render(self, value, template_ext=()):
        if isinstance(value, str):
            if template_ext and value.endswith(tuple(template_ext)):
                return self.environment().get_template(value).render(self.context)
            if not self.native and not any(marker in value for marker in _MARKERS):
                # What Jinja gives for text without template syntax (one trailing newline dropped).
                return value[:-1] if value.endswith("\n") else value
            return self.environment().from_string(value).render(self.context)
        # Strings inside collections are templates too, files included (templates_dict={"q": "q.sql"}).
        if isinstance(value, list):
            return [self.render(item, template_ext) for item in value]
        if isinstance(value, tuple):
            return tuple(self.render(item, template_ext) for item in value)
        if isinstance(value, set):
            return {self.render(item, template_ext) for item in value}
        if isinstance(value, dict):
            return {key: self.render(item, template_ext) for key, item in value.items()}
        return value


def rendered_value(value):
    """A rendered field as the result shows it: strict JSON as is, anything else as its str()."""
    try:
        return loads(dumps(value))
    except (TypeError, ValueError):
        return str(value)


def render_template_fields(task, renderer):
    """Resolve and render every template field of `task` in place; the rendered values by field."""
    rendered = {}
    for name in task.template_fields:
        value = resolve_references(getattr(task, name, None), renderer.context)
        value = renderer.render(value, task.template_ext)
        setattr(task, name, value)
        rendered[name] = rendered_value(value)
    return rendered
