"""The DAG and task group that `with` blocks (and @dag / @task_group calls) have opened."""

_dag_stack = []
_group_stack = []


def push_dag(dag):
    _dag_stack.append(dag)


def pop_dag():
    return _dag_stack.pop()


def current_dag():
    return _dag_stack[-1] if _dag_stack else None


def push_group(group):
    _group_stack.append(group)


def pop_group():
    return _group_stack.pop()


def current_group(dag):
    """The innermost open group of `dag`, else its root group."""
    for group in reversed(_group_stack):
        if group.dag is dag:
            return group
    return dag.task_group if dag is not None else None
