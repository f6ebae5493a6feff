"""Dependency operators shared by tasks, XComArgs and task groups (`>>`, `<<`, set_upstream...)."""
from leoflow.errors import AirflowException


def _nodes(other):
    if isinstance(other, (list, tuple, set, frozenset)):
        result = []
        for item in other:
            result.extend(_nodes(item))
        return result
    if isinstance(other, DependencyMixin):
        return [other]
    raise TypeError(f"Relationships can only be set between Operators; received {type(other).__name__}")


def connect(upstream, downstream):
    """Record `upstream >> downstream` between two operators of one DAG."""
    if upstream.dag is None and downstream.dag is not None:
        downstream.dag.add_task(upstream)
    elif downstream.dag is None and upstream.dag is not None:
        upstream.dag.add_task(downstream)
    elif upstream.dag is not downstream.dag:
        raise AirflowException("Tried to set relationships between tasks in more than one DAG: "
                               f"{{{upstream.dag!r}, {downstream.dag!r}}}")
    upstream.downstream_task_ids.add(downstream.task_id)
    downstream.upstream_task_ids.add(upstream.task_id)


class DependencyMixin:
    """Something that can stand on either side of `>>`; subclasses give their roots and leaves."""

    def dependency_roots(self):
        raise NotImplementedError

    def dependency_leaves(self):
        raise NotImplementedError

    def set_downstream(self, other):
        targets = []
        for node in _nodes(other):
            if getattr(node, "is_edge_modifier", False):
                node.set_upstream(self)
            else:
                targets.extend(node.dependency_roots())
        for leaf in self.dependency_leaves():
            for root in targets:
                connect(leaf, root)

    def set_upstream(self, other):
        sources = []
        for node in _nodes(other):
            if getattr(node, "is_edge_modifier", False):
                node.set_downstream(self)
            else:
                sources.extend(node.dependency_leaves())
        for root in self.dependency_roots():
            for leaf in sources:
                connect(leaf, root)

    def __rshift__(self, other):
        self.set_downstream(other)
        return other

    def __lshift__(self, other):
        self.set_upstream(other)
        return other

    def __rrshift__(self, other):
        self.set_upstream(other)
        return self

    def __rlshift__(self, other):
        self.set_downstream(other)
        return self
