"""A small JSON encoder giving json.dumps' compact output without importing `json` (and `re`):
the parser's and the runtime's import time is part of every reload and every task try."""
try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # pragma: no cover - CPython always has _json
    def _quote(text):
        out = ['"']
        for ch in text:
            code = ord(ch)
            if ch == '"' or ch == "\\":
                out.append("\\" + ch)
            elif 0x20 <= code < 0x7F:
                out.append(ch)
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04x}")
            else:
                code -= 0x10000
                out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
        out.append('"')
        return "".join(out)


def _float(value):
    # Strict JSON, as json.dumps(allow_nan=False): the engine's parser accepts no NaN or Infinity.
    if value != value or value in (float("inf"), -float("inf")):
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    return float.__repr__(value)


def _key(key):
    if isinstance(key, str):
        return _quote(key)
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return _quote(int.__repr__(key))
    if isinstance(key, float):
        return _quote(_float(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _enter(container, open_containers):
    # json.dumps' check_circular: a container inside itself is an error, not endless recursion.
    if id(container) in open_containers:
        raise ValueError("Circular reference detected")
    open_containers.add(id(container))


def _encode(value, out, open_containers):
    if isinstance(value, str):
        out.append(_quote(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, dict):
        _enter(value, open_containers)
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(_key(key))
            out.append(":")
            _encode(item, out, open_containers)
        out.append("}")
        open_containers.discard(id(value))
    elif isinstance(value, (list, tuple)):
        _enter(value, open_containers)
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out, open_containers)
        out.append("]")
        open_containers.discard(id(value))
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value):
    """Compact JSON text of `value`, as `json.dumps(value, separators=(",", ":"), allow_nan=False)` gives."""
    out = []
    _encode(value, out, set())
    return "".join(out)
