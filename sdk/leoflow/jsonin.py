"""json.loads without importing `json` (whose decoder pulls in `re` and `enum`): the C scanner that
json itself uses, driven directly. Anything it cannot take is handed to json.loads for the error."""
from _json import make_scanner

_WHITESPACE = " \t\n\r"
_CONSTANTS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


class _Settings:
    # The attributes json.JSONDecoder gives its scanner by default.
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


_scan = make_scanner(_Settings)


def loads(text):
    """The value of the JSON document `text` (a str), as json.loads gives it."""
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration:
        end = None
    if end is None or text[end:].strip(_WHITESPACE):
        import json
        return json.loads(text)
    return value
