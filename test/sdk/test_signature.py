"""The cheap signature reader lists parameters exactly as inspect.signature does."""
import functools
import inspect
import sys

import pytest

from conftest import SDK_DIR

sys.path.insert(0, SDK_DIR)
from leoflow.signature import parameters  # noqa: E402


class Example:
    def method(self, a, b=1, *args, c, d=2, **kwargs):
        local = a
        return local

    def only_varargs(*args, **kwargs):
        pass

    @classmethod
    def klass(cls, x):
        pass

    @staticmethod
    def static(x, /, y):
        pass

    def __call__(self, z):
        pass


def positional_only(a, /, b, *, c):
    pass


def varargs(*args):
    pass


def mixed(a, *rest, k, **kw):
    local = 1
    return local


def nothing():
    first, second = 1, 2
    return first + second


def wrapped(function):
    @functools.wraps(function)
    def inner(*args, **kwargs):
        return function(*args, **kwargs)
    return inner


def annotated() -> int:
    return 1


annotated.__signature__ = inspect.Signature([inspect.Parameter("fake", inspect.Parameter.KEYWORD_ONLY)])

CALLABLES = [positional_only, varargs, mixed, nothing, Example().method, Example().only_varargs, Example.klass,
             Example.static, Example().static, Example(), Example.method, wrapped(positional_only),
             functools.partial(mixed, 1), len, dict.get, lambda x, *y, z=1: 0, annotated]


@pytest.mark.parametrize("function", CALLABLES, ids=[repr(c)[:40] for c in CALLABLES])
def test_same_parameters_as_inspect(function):
    expected = [(name, parameter.kind.name) for name, parameter in inspect.signature(function).parameters.items()]
    assert parameters(function) == expected
