"""Variable, Connection and BaseHook, read from the values the engine passes to the task
(then from AIRFLOW_VAR_<KEY> / AIRFLOW_CONN_<CONN_ID> environment variables, as Airflow does)."""
import os

from leoflow.context import run_state
from leoflow.errors import AirflowNotFoundException
from leoflow.params import NOTSET
from leoflow.tasklog import TaskLogger


class Variable:
    """Airflow Variables: `Variable.get(key)`, `Variable.set(key, value)`."""

    @classmethod
    def get(cls, key, default_var=NOTSET, deserialize_json=False, default=NOTSET):
        if default is not NOTSET:
            default_var = default
        if key in run_state.variables_set:
            value = run_state.variables_set[key]
        elif key in run_state.variables:
            value = run_state.variables[key]
        elif f"AIRFLOW_VAR_{key.upper()}" in os.environ:
            value = os.environ[f"AIRFLOW_VAR_{key.upper()}"]
        elif default_var is not NOTSET:
            return default_var
        else:
            raise KeyError(f"Variable {key} does not exist")
        if deserialize_json:
            import json
            return json.loads(value)
        return value

    @classmethod
    def set(cls, key, value, description=None, serialize_json=False):
        if serialize_json:
            import json
            value = json.dumps(value, indent=2)
        else:
            value = str(value)
        run_state.variables_set[key] = value


class Connection:
    """A connection's fields, built from fields, a URI or Airflow's JSON form."""

    def __init__(self, conn_id=None, conn_type=None, description=None, host=None, login=None, password=None,
                 schema=None, port=None, extra=None, uri=None):
        self.conn_id = conn_id
        self.conn_type = conn_type
        self.description = description
        self.host = host
        self.login = login
        self.password = password
        self.schema = schema
        self.port = int(port) if port not in (None, "") else None
        if isinstance(extra, dict):
            import json
            extra = json.dumps(extra)
        self.extra = extra
        if uri is not None:
            self._parse_from_uri(uri)

    def _parse_from_uri(self, uri):
        from urllib.parse import parse_qsl, unquote, urlsplit
        scheme, sep, rest = uri.partition("://")
        if not sep:
            raise AirflowNotFoundException(f"Invalid connection string: {uri}")
        self.conn_type = scheme.replace("-", "_")
        parts = urlsplit("//" + rest)
        self.host = unquote(parts.hostname) if parts.hostname else None
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        self.schema = unquote(path) if path else None
        self.login = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.port = parts.port
        if parts.query:
            import json
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            if "__extra__" in query:
                self.extra = query["__extra__"]
            else:
                self.extra = json.dumps(query)

    def get_uri(self):
        from urllib.parse import quote, urlencode
        uri = f"{(self.conn_type or '').replace('_', '-')}://"
        if self.login or self.password:
            uri += quote(self.login or "", safe="")
            if self.password:
                uri += ":" + quote(self.password, safe="")
            uri += "@"
        uri += quote(self.host or "", safe="")
        if self.port:
            uri += f":{self.port}"
        if self.schema:
            uri += "/" + quote(self.schema, safe="")
        if self.extra_dejson:
            uri += "?" + urlencode(self.extra_dejson)
        return uri

    @property
    def extra_dejson(self):
        if not self.extra:
            return {}
        import json
        try:
            return json.loads(self.extra)
        except ValueError:
            return {}

    @classmethod
    def get_connection_from_secrets(cls, conn_id):
        return cls.get(conn_id)

    @classmethod
    def _from_fields(cls, conn_id, fields):
        known = ("conn_type", "description", "host", "login", "password", "schema", "port", "extra")
        return cls(conn_id=conn_id, **{name: fields[name] for name in known if name in fields})

    @classmethod
    def get(cls, conn_id):
        if conn_id in run_state.connections:
            return cls._from_fields(conn_id, run_state.connections[conn_id])
        value = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
        if value is not None:
            if value.lstrip().startswith("{"):
                import json
                return cls._from_fields(conn_id, json.loads(value))
            return cls(conn_id=conn_id, uri=value)
        raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")

    def __repr__(self):
        return self.conn_id or ""


class BaseHook:
    """Base of hooks; `BaseHook.get_connection(conn_id)`."""

    def __init__(self, *args, **kwargs):
        pass

    @classmethod
    def get_connection(cls, conn_id):
        return Connection.get(conn_id)

    def get_conn(self):
        raise NotImplementedError

    @property
    def log(self):
        return TaskLogger(f"airflow.task.hooks.{type(self).__module__}.{type(self).__name__}")
