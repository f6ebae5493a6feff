"""XComArg: a reference to a task's XCom, used to wire TaskFlow arguments and mapping."""
from leoflow.errors import unsupported
from leoflow.node import DependencyMixin

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

    def map(self, function):
        raise unsupported("XComArg.map()")

    def zip(self, *others, **kwargs):
        raise unsupported("XComArg.zip()")

    def concat(self, *others):
        raise unsupported("XComArg.concat()")

    def as_setup(self):
        raise unsupported("setup tasks")

    def as_teardown(self, *args, **kwargs):
        raise unsupported("teardown tasks")


def iter_references(value):
    """Every XComArg inside `value`, looking through lists, tuples, sets and dicts."""
    if isinstance(value, XComArg):
        yield value
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from iter_references(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_references(item)
