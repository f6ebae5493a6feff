"""Label (EdgeModifier): a named edge; `a >> Label("why") >> b` makes `a` upstream of `b`."""
from leoflow.node import DependencyMixin, _nodes


class EdgeModifier(DependencyMixin):
    """Stands between tasks in `>>`; connects everything on its left to everything on its right."""

    is_edge_modifier = True

    def __init__(self, label=None):
        self.label = label
        self._upstream = []
        self._downstream = []

    def _connect(self):
        for upstream in self._upstream:
            for downstream in self._downstream:
                upstream.set_downstream(downstream)

    def set_upstream(self, other):
        self._upstream.extend(_nodes(other))
        self._connect()

    def set_downstream(self, other):
        self._downstream.extend(_nodes(other))
        self._connect()

    def dependency_roots(self):
        return []

    def dependency_leaves(self):
        return []


def Label(label):
    return EdgeModifier(label)
