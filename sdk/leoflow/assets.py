"""Assets (Airflow 3) and Datasets (Airflow 2): Asset, AssetAlias, the `&` / `|` expressions of
asset schedules, and what a task records about the assets it updates (outlet_events). Producing
runs from asset events is the engine's, so creating one stays refused until the engine enables
"assets" (features.py, docs/contracts.md)."""
from leoflow import features


class BaseAsset:
    """Something that can stand in an asset schedule: an asset, an alias or an expression."""

    def __and__(self, other):
        if not isinstance(other, BaseAsset):
            return NotImplemented
        return AssetAll(self, other)

    def __or__(self, other):
        if not isinstance(other, BaseAsset):
            return NotImplemented
        return AssetAny(self, other)


def _check_text(value, what):
    if not isinstance(value, str):
        raise TypeError(f"Asset {what} must be a string, not {type(value).__name__}")
    if not value or value.isspace():
        raise ValueError(f"Asset {what} cannot be empty")
    if len(value) > 1500:
        raise ValueError(f"Asset {what} cannot exceed 1500 characters")
    if not value.isascii():
        raise ValueError(f"Asset {what} must only consist of ASCII characters")
    return value


class Asset(BaseAsset):
    """A named piece of data (`name`, `uri`: either gives the other); tasks update it (outlets)."""

    _feature = "Assets"

    def __init__(self, name=None, uri=None, *, group="asset", extra=None, watchers=None):
        features.require("assets", self._feature)
        if name is None and uri is None:
            raise TypeError("Asset() requires either 'name' or 'uri'")
        self.name = _check_text(name if name is not None else uri, "name")
        self.uri = _check_text(uri if uri is not None else name, "uri")
        if any(ch.isspace() for ch in self.uri):
            raise ValueError("Asset uri cannot contain whitespace")
        self.group = group
        self.extra = dict(extra or {})
        if watchers:
            from leoflow.errors import unsupported
            raise unsupported("asset watchers")

    def __eq__(self, other):
        return isinstance(other, Asset) and (self.name, self.uri) == (other.name, other.uri)

    def __hash__(self):
        return hash((self.name, self.uri))

    def __repr__(self):
        return f"Asset(name={self.name!r}, uri={self.uri!r}, group={self.group!r})"

    def spec(self):
        return {"asset": {"name": self.name, "uri": self.uri, "group": self.group, "extra": self.extra}}


class Dataset(Asset):
    """Airflow 2's name of an asset: `Dataset(uri, extra=None)`."""

    _feature = "Datasets"

    def __init__(self, uri, extra=None):
        super().__init__(name=uri, uri=uri, group="asset", extra=extra)


class AssetAlias(BaseAsset):
    """A name standing for the assets a task adds to it at run time."""

    def __init__(self, name, group="asset"):
        features.require("assets", "Assets")
        self.name = _check_text(name, "alias name")
        self.group = group

    def __eq__(self, other):
        return isinstance(other, AssetAlias) and self.name == other.name

    def __hash__(self):
        return hash(("alias", self.name))

    def __repr__(self):
        return f"AssetAlias(name={self.name!r}, group={self.group!r})"

    def spec(self):
        return {"alias": {"name": self.name, "group": self.group}}


class AssetAll(BaseAsset):
    """`a & b`: every one of the assets was updated."""

    kind = "all"

    def __init__(self, *objects):
        flat = []
        for item in objects:
            flat.extend(item.objects if type(item) is type(self) else [item])
        self.objects = flat

    def spec(self):
        return {self.kind: [item.spec() for item in self.objects]}


class AssetAny(AssetAll):
    """`a | b`: any one of the assets was updated."""

    kind = "any"


def schedule_condition(schedule):
    """An asset schedule (a list of assets, or an expression) as one condition."""
    if isinstance(schedule, BaseAsset):
        return schedule
    items = list(schedule)
    if not items or not all(isinstance(item, BaseAsset) for item in items):
        raise ValueError("An asset schedule is a list of Asset/AssetAlias objects or an expression of them")
    return items[0] if len(items) == 1 else AssetAll(*items)


class OutletEventAccessor:
    """`outlet_events[asset]`: the extra of the event the task's success emits, or the assets it
    adds to an alias."""

    def __init__(self, key):
        self.key = key
        self.extra = {}
        self.added = []

    def add(self, asset, extra=None):
        if not isinstance(self.key, AssetAlias):
            raise TypeError("only an AssetAlias's outlet events take add()")
        self.added.append((asset, dict(extra or {})))


class OutletEventAccessors(dict):
    """`outlet_events` in the context: one accessor per outlet, made on first use."""

    def __missing__(self, key):
        if not isinstance(key, (Asset, AssetAlias)):
            raise KeyError(key)
        accessor = self[key] = OutletEventAccessor(key)
        return accessor

    def events(self, outlets):
        """The asset events the engine records when the task succeeds."""
        events = []
        for outlet in outlets:
            if isinstance(outlet, Asset):
                events.append({**outlet.spec(), "extra": self[outlet].extra})
        for accessor in self.values():
            for asset, extra in accessor.added:
                events.append({**asset.spec(), "extra": extra, "alias": accessor.key.name})
        return events
