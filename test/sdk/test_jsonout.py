"""The parser's own JSON encoder gives exactly what json.dumps gives, and strict JSON only."""
import json
import sys

import pytest

from conftest import SDK_DIR

sys.path.insert(0, SDK_DIR)
from leoflow.jsonout import dumps  # noqa: E402

VALUES = [None, True, False, 0, -5, 2 ** 70, 1.5, 1e-7, 1e300, "", "héllo \u2028 \n\t\"\\ \U0001F600",
          [1, [2, {}]], {"a": {"b": [None]}}, {1: 2, 2.5: 3, True: 1, None: 0}, (1, 2)]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_same_text_as_json_dumps(value):
    assert dumps(value) == json.dumps(value, separators=(",", ":"))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), {(1, 2): 3}])
def test_refuses_what_is_not_strict_json(value):
    with pytest.raises((TypeError, ValueError)):
        dumps(value)


def test_refuses_a_container_inside_itself_as_json_does():
    looped = [1]
    looped.append({"again": looped})
    with pytest.raises(ValueError, match="Circular reference detected"):
        dumps(looped)
    shared = [1]
    assert dumps([shared, shared]) == "[[1],[1]]"
