"""XComArg: a reference to a task's XCom, used to wire TaskFlow arguments and mapping."""
from leoflow import features
from leoflow.node import DependencyMixin
from leoflow.params import NOTSET

XCOM_RETURN_KEY = "return_value"


class XComArg(DependencyMixin):
    """The XCom `key` pushed by `operator`; standing in `>>` it stands for the operator."""

    def __init__(self, operator, key=XCOM_RETURN_KEY):
        self.operator = operator
        self.key = key

    def __getitem__(self, key):
        return XComArg(self.operator, key)

    def __iter__(self):
        raise TypeError("'XComArg' object is not iterable")

    def __repr__(self):
        if self.key == XCOM_RETURN_KEY:
            return f"XComArg({self.operator!r})"
        return f"XComArg({self.operator!r}, {self.key!r})"

    def __str__(self):
        # Airflow renders an XComArg used inside a string as an xcom_pull template.
        dag_id = self.operator.dag.dag_id if self.operator.dag is not None else None
        return (f"{{{{ task_instance.xcom_pull(task_ids='{self.operator.task_id}', "
                f"dag_id='{dag_id}', key='{self.key}') }}}}")

    def dependency_roots(self):
        return [self.operator]

    def dependency_leaves(self):
        return [self.operator]

    def resolve(self, context):
        return context["ti"].resolve_xcom_arg(self)

    def references(self):
        """The plain XComArgs this one is computed from (itself for a plain one)."""
        return [self]

    def map(self, function):
        """The XCom's elements passed through `function`, lazily (Airflow's MapXComArg)."""
        features.require("xcomarg_transforms", "XComArg.map()")
        return MapXComArg(self, [function])

    def zip(self, *others, fillvalue=NOTSET):
        """Tuples of this XCom's and `others`' elements (shortest, or longest with fillvalue)."""
        features.require("xcomarg_transforms", "XComArg.zip()")
        return ZipXComArg([self, *others], fillvalue=fillvalue)

    def concat(self, *others):
        """This XCom's elements, then each of `others`'."""
        features.require("xcomarg_transforms", "XComArg.concat()")
        return ConcatXComArg([self, *others])

    def as_setup(self):
        self.operator.as_setup()
        return self

    def as_teardown(self, *, setups=None, on_failure_fail_dagrun=None):
        self.operator.as_teardown(setups=setups, on_failure_fail_dagrun=on_failure_fail_dagrun)
        return self


def _sequence(value, what):
    if isinstance(value, dict):
        return list(value.items())
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"XCom {what} expects sequence or dict, not {type(value).__name__}")
    return list(value)


class MapXComArg(XComArg):
    """`arg.map(f)`: resolves to [f(x) for x in arg] (chained maps apply in order)."""

    def __init__(self, arg, callables):
        super().__init__(arg.operator, arg.key)
        self.arg = arg
        self.callables = list(callables)

    def references(self):
        return self.arg.references()

    def map(self, function):
        return MapXComArg(self.arg, [*self.callables, function])

    def resolve(self, context):
        values = []
        for value in _sequence(self.arg.resolve(context), "map"):
            for function in self.callables:
                value = function(value)
            values.append(value)
        return values


class ZipXComArg(XComArg):
    """`a.zip(b, ...)`: resolves to tuples, the shortest input's length (longest with fillvalue)."""

    def __init__(self, args, fillvalue=NOTSET):
        if not args:
            raise ValueError("At least one input is required")
        super().__init__(args[0].operator, args[0].key)
        self.args = list(args)
        self.fillvalue = fillvalue

    def references(self):
        return [ref for arg in self.args for ref in arg.references()]

    def dependency_roots(self):
        return [ref.operator for ref in self.references()]

    dependency_leaves = dependency_roots

    def resolve(self, context):
        sequences = [_sequence(arg.resolve(context), "zip") for arg in self.args]
        if self.fillvalue is NOTSET:
            return list(zip(*sequences))
        import itertools
        return list(itertools.zip_longest(*sequences, fillvalue=self.fillvalue))


class ConcatXComArg(XComArg):
    """`a.concat(b, ...)`: resolves to a's elements followed by b's."""

    def __init__(self, args):
        super().__init__(args[0].operator, args[0].key)
        self.args = list(args)

    def references(self):
        return [ref for arg in self.args for ref in arg.references()]

    def dependency_roots(self):
        return [ref.operator for ref in self.references()]

    dependency_leaves = dependency_roots

    def concat(self, *others):
        return ConcatXComArg([*self.args, *others])

    def resolve(self, context):
        values = []
        for arg in self.args:
            values.extend(_sequence(arg.resolve(context), "concat"))
        return values


def iter_references(value):
    """Every XComArg inside `value`, looking through lists, tuples, sets and dicts."""
    if isinstance(value, XComArg):
        yield from value.references()
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from iter_references(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_references(item)
