"""The runtime's JSON decoder gives what json.loads gives, errors included."""
import json
import sys

import pytest

from conftest import SDK_DIR

sys.path.insert(0, SDK_DIR)
from leoflow.jsonin import loads  # noqa: E402

DOCUMENTS = ['{"a": [1, 2.5, -3e2, true, false, null]}', ' \n\t"h\\u00e9llo \\ud83d\\ude00"\r\n', "[]", "{}", "0",
             '{"a": {"b": {"c": []}}, "a2": "x"}', "[NaN, Infinity, -Infinity]", '{"dup": 1, "dup": 2}',
             str(2 ** 70), '"\\n\\t\\"\\\\"']


@pytest.mark.parametrize("text", DOCUMENTS)
def test_same_value_as_json_loads(text):
    assert repr(loads(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", ["", "   ", "{", '{"a": 1} x', "[1,]", '"unterminated', "nul", "\ufeff{}",
                                  '{"a": "\x01"}', "1 2"])
def test_same_error_as_json_loads(text):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as got:
        loads(text)
    assert str(got.value) == str(expected.value)
