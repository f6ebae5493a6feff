"""TaskGroup and the @task_group decorator: nested groups whose ids prefix their tasks' ids."""
from leoflow import contexts, features
from leoflow.errors import AirflowException, DuplicateTaskIdFound, unsupported
from leoflow.keys import validate_key
from leoflow.node import DependencyMixin


class TaskGroup(DependencyMixin):
    """A named group of tasks; in `>>` it stands for its roots (downstream side) or leaves."""

    def __init__(self, group_id, prefix_group_id=True, parent_group=None, dag=None, default_args=None,
                 tooltip="", ui_color="CornflowerBlue", ui_fgcolor="#000", add_suffix_on_collision=False,
                 group_display_name=None, _root_of=None):
        self.children = {}
        self.prefix_group_id = prefix_group_id
        self.default_args = dict(default_args or {})
        self.tooltip = tooltip
        self.ui_color = ui_color
        self.ui_fgcolor = ui_fgcolor
        if _root_of is not None:
            self._group_id = None
            self.dag = _root_of
            self.parent_group = None
            return
        validate_key(group_id, max_length=200)
        if dag is None:
            dag = parent_group.dag if parent_group is not None else contexts.current_dag()
        if dag is None:
            raise AirflowException("TaskGroup can only be used inside a dag")
        self.dag = dag
        self.parent_group = parent_group if parent_group is not None else contexts.current_group(dag)
        self._group_id = group_id
        if self.group_id in dag.task_group_dict or self.group_id in dag.task_dict:
            if not add_suffix_on_collision:
                raise DuplicateTaskIdFound(f"group_id '{self._group_id}' has already been added to the DAG")
            base = group_id
            suffix = 1
            while True:
                self._group_id = f"{base}__{suffix}"
                if self.group_id not in dag.task_group_dict and self.group_id not in dag.task_dict:
                    break
                suffix += 1
        dag.task_group_dict[self.group_id] = self
        self.parent_group.children[self.group_id] = self
        self.group_display_name = group_display_name or group_id

    @classmethod
    def create_root(cls, dag):
        return cls(None, _root_of=dag)

    @property
    def is_root(self):
        return self._group_id is None

    @property
    def group_id(self):
        parent = self.parent_group
        if parent is not None and parent.prefix_group_id and parent._group_id:
            return parent.child_id(self._group_id)
        return self._group_id

    @property
    def label(self):
        return self._group_id

    def child_id(self, label):
        """The full id of a child called `label`."""
        if self.prefix_group_id:
            group_id = self.group_id
            if group_id:
                return f"{group_id}.{label}"
        return label

    def merged_default_args(self):
        merged = self.parent_group.merged_default_args() if self.parent_group is not None else {}
        merged.update(self.default_args)
        return merged

    def __enter__(self):
        contexts.push_group(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        contexts.pop_group()

    def __repr__(self):
        return f"<TaskGroup: {self.group_id}>"

    def iter_tasks(self):
        """Tasks of this group and its subgroups, in definition order."""
        for child in self.children.values():
            if isinstance(child, TaskGroup):
                yield from child.iter_tasks()
            else:
                yield child

    def get_child_by_label(self, label):
        return self.children[self.child_id(label)]

    @property
    def roots(self):
        ids = {task.task_id for task in self.iter_tasks()}
        return [task for task in self.iter_tasks() if not task.upstream_task_ids & ids]

    @property
    def leaves(self):
        ids = {task.task_id for task in self.iter_tasks()}
        return [task for task in self.iter_tasks() if not task.downstream_task_ids & ids]

    def dependency_roots(self):
        return self.roots

    def dependency_leaves(self):
        return self.leaves


class TaskGroupFactory:
    """A @task_group function: each call opens a new group (suffixed `__N` on repeats) and runs it."""

    def __init__(self, function, kwargs):
        self.function = function
        self.kwargs = dict(kwargs)
        self.kwargs.setdefault("group_id", function.__name__)
        self.__name__ = function.__name__
        self.__qualname__ = function.__qualname__
        self.__doc__ = function.__doc__
        self.__wrapped__ = function

    def __call__(self, *args, **kwargs):
        with TaskGroup(add_suffix_on_collision=True, **self.kwargs) as group:
            if self.function.__doc__ and not group.tooltip:
                group.tooltip = self.function.__doc__
            result = self.function(*args, **kwargs)
        return result if result is not None else group

    def override(self, **kwargs):
        return TaskGroupFactory(self.function, {**self.kwargs, **kwargs})

    def partial(self, **kwargs):
        features.require("mapped_task_groups", "mapped task groups (@task_group.partial)")
        return _PartialTaskGroupFactory(self, kwargs)

    def expand(self, **kwargs):
        features.require("mapped_task_groups", "mapped task groups (@task_group.expand)")
        return self._expand("expand", kwargs, {})

    def expand_kwargs(self, kwargs, strict=True):
        features.require("mapped_task_groups", "mapped task groups (@task_group.expand_kwargs)")
        return self._expand("expand_kwargs", kwargs, {})

    def _expand(self, kind, value, partial_kwargs):
        from leoflow.baseoperator import check_expand_kwargs, check_mappable
        from leoflow.decorators import parameter_names
        if kind == "expand":
            if not value:
                raise TypeError("no arguments to expand against")
            for name, item in value.items():
                check_mappable(name, item)
            mapped_names = list(value)
        else:
            check_expand_kwargs(value)
            mapped_names = [name for name in parameter_names(self.function) if name not in partial_kwargs]
        with MappedTaskGroup(expand_kind=kind, expand_value=value, add_suffix_on_collision=True,
                             **self.kwargs) as group:
            if self.function.__doc__ and not group.tooltip:
                group.tooltip = self.function.__doc__
            arguments = {name: MappedArgument(group, name) for name in mapped_names}
            result = self.function(**partial_kwargs, **arguments)
        group.wire_inputs()
        return result if result is not None else group


class _PartialTaskGroupFactory:
    """`@task_group` function `.partial(...)`: the fixed arguments, waiting for expand()."""

    def __init__(self, factory, kwargs):
        self.factory = factory
        self.kwargs = kwargs

    def expand(self, **kwargs):
        duplicated = set(kwargs) & set(self.kwargs)
        if duplicated:
            raise TypeError(f"mapping already partial argument: {sorted(duplicated)[0]}")
        return self.factory._expand("expand", kwargs, self.kwargs)

    def expand_kwargs(self, kwargs, strict=True):
        return self.factory._expand("expand_kwargs", kwargs, self.kwargs)


class MappedArgument:
    """A mapped task group's argument as its tasks see it: at run time, the value of the task's
    map index (the group's expand input, element by element)."""

    def __init__(self, group, name):
        self.group = group
        self.name = name

    def resolve(self, context):
        return context["ti"].group_arguments(self.group)[self.name]

    def __repr__(self):
        return f"MappedArgument({self.group.group_id!r}, {self.name!r})"


class MappedTaskGroup(TaskGroup):
    """A task group expanded at run time: each of its tasks runs once per element of its input."""

    is_mapped = True

    def __init__(self, *, expand_kind, expand_value, **kwargs):
        super().__init__(**kwargs)
        self.expand_kind = expand_kind
        self.expand_value = expand_value
        self.task_id = self.group_id

    def wire_inputs(self):
        """The tasks the input comes from are upstream of the group's roots."""
        from leoflow.xcom_arg import iter_references
        for ref in iter_references(self.expand_value):
            for root in self.roots:
                root.set_upstream(ref.operator)
        for task in self.iter_tasks():
            if task.is_mapped:
                raise unsupported("mapped tasks inside a mapped task group")


def mapped_group_of(task):
    """The innermost mapped task group `task` belongs to, or None."""
    group = task.task_group
    while group is not None:
        if getattr(group, "is_mapped", False):
            return group
        group = group.parent_group
    return None


def task_group(group_id=None, **kwargs):
    """@task_group or @task_group(group_id=..., prefix_group_id=..., tooltip=..., default_args=...)."""
    if callable(group_id):
        return TaskGroupFactory(group_id, kwargs)
    if group_id is not None:
        kwargs["group_id"] = group_id
    return lambda function: TaskGroupFactory(function, kwargs)
