"""Param and ParamsDict: DAG and task parameters validated against a JSON schema. Validation covers
the JSON Schema keywords Airflow users write; messages follow the jsonschema package Airflow uses."""
from leoflow.errors import ParamValidationError
from leoflow.jsonout import dumps


class _NotSet:
    def __repr__(self):
        return "NOTSET"


NOTSET = _NotSet()

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _is_format(value, fmt):
    from datetime import date, datetime, time
    if not isinstance(value, str):
        return True
    try:
        if fmt == "date":
            date.fromisoformat(value)
        elif fmt == "date-time":
            datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "Zz" else value)
        elif fmt == "time":
            time.fromisoformat(value)
        elif fmt == "email":
            return "@" in value
    except ValueError:
        return False
    return True


def _errors(value, schema):
    """The first validation error of `value` against `schema` (a message), or None."""
    if not isinstance(schema, dict):
        return None
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(_TYPES.get(name, lambda v: True)(value) for name in names):
            return f"{value!r} is not of type {', '.join(repr(name) for name in names)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r} is not one of {schema['enum']!r}"
    if "const" in schema and value != schema["const"]:
        return f"{schema['const']!r} was expected"
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{value!r} is less than the minimum of {schema['minimum']!r}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{value!r} is greater than the maximum of {schema['maximum']!r}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return f"{value!r} is less than or equal to the minimum of {schema['exclusiveMinimum']!r}"
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return f"{value!r} is greater than or equal to the maximum of {schema['exclusiveMaximum']!r}"
        if "multipleOf" in schema and (value / schema["multipleOf"]) % 1:
            return f"{value!r} is not a multiple of {schema['multipleOf']!r}"
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"{value!r} is too short"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"{value!r} is too long"
        if "pattern" in schema:
            import re
            if not re.search(schema["pattern"], value):
                return f"{value!r} does not match {schema['pattern']!r}"
        if "format" in schema and not _is_format(value, schema["format"]):
            return f"{value!r} is not a {schema['format']!r}"
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return f"{value!r} is too short"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"{value!r} is too long"
        if isinstance(schema.get("items"), dict):
            for item in value:
                error = _errors(item, schema["items"])
                if error:
                    return error
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                return f"{name!r} is a required property"
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                error = _errors(item, properties[name])
                if error:
                    return error
            elif schema.get("additionalProperties") is False:
                return f"Additional properties are not allowed ({name!r} was unexpected)"
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            matches = sum(1 for option in schema[keyword] if _errors(value, option) is None)
            if matches == 0:
                return f"{value!r} is not valid under any of the given schemas"
            if keyword == "oneOf" and matches > 1:
                return f"{value!r} is valid under each of the given schemas"
    return None


class Param:
    """A parameter's default value, description and JSON schema."""

    def __init__(self, default=NOTSET, description=None, **kwargs):
        if default is not NOTSET:
            self._check_json(default)
        self.value = default
        self.description = description
        self.schema = kwargs.pop("schema") if "schema" in kwargs else kwargs

    @staticmethod
    def _check_json(value):
        try:
            dumps(value)
        except (TypeError, ValueError):
            raise ParamValidationError(
                f"All provided parameters must be json-serializable. The value '{value}' is not serializable."
            ) from None

    def resolve(self, value=NOTSET, suppress_exception=False):
        """Validate and return the final value (`value` if given, else the default)."""
        if value is not NOTSET:
            self._check_json(value)
        final = self.value if value is NOTSET else value
        if final is NOTSET:
            if suppress_exception:
                return None
            raise ParamValidationError("No value passed and Param has no default value")
        error = _errors(final, self.schema)
        if error:
            if suppress_exception:
                return None
            raise ParamValidationError(error)
        self.value = final
        return final

    @property
    def has_value(self):
        return self.value is not NOTSET and self.value is not None

    def serialize(self):
        return {"value": None if self.value is NOTSET else self.value, "schema": self.schema,
                "description": self.description}

    def __repr__(self):
        return f"Param({self.value!r})"


class ParamsDict(dict):
    """Params by name; plain values become Params, lookups return resolved values."""

    def __init__(self, values=None, suppress_exception=False):
        super().__init__()
        self.suppress_exception = suppress_exception
        for key, value in (values.params_items() if isinstance(values, ParamsDict) else (values or {}).items()):
            self[key] = value

    def __setitem__(self, key, value):
        if isinstance(value, Param):
            param = value
        elif key in self:
            param = dict.__getitem__(self, key)
            try:
                param.resolve(value=value, suppress_exception=self.suppress_exception)
            except ParamValidationError as error:
                raise ParamValidationError(f"Invalid input for param {key}: {error}") from None
        else:
            param = Param(value)
        dict.__setitem__(self, key, param)

    def __getitem__(self, key):
        return dict.__getitem__(self, key).resolve(suppress_exception=self.suppress_exception)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def get_param(self, key):
        return dict.__getitem__(self, key)

    def params_items(self):
        return dict.items(self)

    def values(self):
        return [self[key] for key in self]

    def items(self):
        return [(key, self[key]) for key in self]

    def update(self, other=(), **kwargs):
        pairs = other.params_items() if isinstance(other, ParamsDict) else dict(other, **kwargs).items()
        for key, value in pairs:
            self[key] = value

    def validate(self):
        """All values resolved and checked; the first invalid one raises."""
        resolved = {}
        for key, param in dict.items(self):
            try:
                resolved[key] = param.resolve(suppress_exception=self.suppress_exception)
            except ParamValidationError as error:
                raise ParamValidationError(f"Invalid input for param {key}: {error}") from None
        return resolved

    def serialize(self):
        return {key: param.serialize() for key, param in dict.items(self)}
