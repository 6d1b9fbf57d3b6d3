"""Read-only views over decoded JSON, as rules see event data.

`ImmutableCaseInsensitiveDict` is a `dict` subclass and `ImmutableList` a
`list` subclass whose storage holds the original decoded values, so
`json.dumps`, `==` against plain dicts/lists and `isinstance` checks work as
usual. Nested containers are wrapped only when a rule reads them, and every
mutating method raises TypeError.

Key lookup tries the exact key first, then a case-insensitive match.
"""

from collections.abc import ItemsView, Mapping, ValuesView

MISSING = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _read_only(*_args, **_kwargs):
    raise TypeError("Event data is read-only: copy it with to_dict() to change it")


class ImmutableContainerMixin:
    """Common base of the read-only containers."""

    __slots__ = ()

    @staticmethod
    def _ensure_immutable(value):
        return wrap(value)

    @property
    def _container(self):
        return self

    def to_dict(self):
        """A plain, mutable deep copy of the data."""
        return to_plain(self)

    copy = to_dict

    def __copy__(self):
        return to_plain(self)

    def __deepcopy__(self, _memo):
        return to_plain(self)

    def __reduce__(self):
        return (to_plain, (to_plain(self),))


def wrap(value):
    """`value` as a read-only view when it is a mapping or a list; other values as they are."""
    kind = type(value)
    if kind is dict:
        return ImmutableCaseInsensitiveDict(value)
    if kind is list:
        return ImmutableList(value)
    if kind in _SCALARS or isinstance(value, ImmutableContainerMixin):
        return value
    if isinstance(value, Mapping):
        return ImmutableCaseInsensitiveDict(value)
    if isinstance(value, (list, tuple)):
        return ImmutableList(value)
    return value


def to_plain(value):
    """A plain deep copy of `value` (dicts and lists; tuples become lists)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or isinstance(value, dict):
        return {k: v if type(v) in _SCALARS else to_plain(v) for k, v in dict.items(value)}
    if kind is list or isinstance(value, list):
        return [v if type(v) in _SCALARS else to_plain(v) for v in list.__iter__(value)]
    if kind is tuple:
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def json_encoder(value):
    """`default=` hook for json.dumps that accepts read-only containers and sets."""
    if isinstance(value, ImmutableContainerMixin):
        return to_plain(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def lookup(container, key, missing=MISSING):
    """The raw value of `key` in a dict: exact key, then a case-insensitive match."""
    value = dict.get(container, key, MISSING)
    if value is not MISSING:
        return value
    if not isinstance(key, str):
        return missing
    if isinstance(container, ImmutableCaseInsensitiveDict):
        real = container._real_key(key)  # pylint: disable=protected-access
        return missing if real is MISSING else dict.__getitem__(container, real)
    real = _folded_keys(tuple(dict.keys(container))).get(key.lower(), MISSING)
    return missing if real is MISSING else dict.__getitem__(container, real)


def deep_get_value(node, keys, default=None):
    """Walk nested mappings along `keys`; a missing key, a non-mapping or a None value gives `default`."""
    for key in keys:
        if isinstance(node, dict):
            node = lookup(node, key)
            if node is MISSING:
                return default
        elif isinstance(node, Mapping):
            node = node.get(key, MISSING)
            if node is MISSING:
                return default
        else:
            return default
    if node is None:
        return default
    return wrap(node)


def _all_empty(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_all_empty(item) for item in _raw_items(value))
    return False


def _raw_items(sequence):
    return list.__iter__(sequence) if isinstance(sequence, list) else iter(sequence)


def _collect(node, keys, found) -> None:
    """Append every value reachable from `node` along `keys`, descending into lists."""
    if isinstance(node, (list, tuple)):
        for item in _raw_items(node):
            _collect(item, keys, found)
        return
    if not keys:
        if node is not None:
            found.append(node)
        return
    if isinstance(node, Mapping):
        child = lookup(node, keys[0]) if isinstance(node, dict) else node.get(keys[0], MISSING)
        if child is not MISSING and child is not None:
            _collect(child, keys[1:], found)


def _unique(values):
    seen = set()
    unique = []
    for value in values:
        try:
            if value in seen:
                continue
            seen.add(value)
        except TypeError:
            if value in unique:
                continue
        unique.append(value)
    return unique


def deep_walk_value(node, keys, default=None, return_val="all"):
    """Like deep_get_value, but lists met along the way are searched item by item.

    When the path crosses a list, the values found are flattened and
    de-duplicated; `return_val` picks "all" (a single value is returned bare),
    "first" or "last". A path that crosses no list returns its value as is.
    """
    if return_val not in ("all", "first", "last"):
        raise ValueError(f'Invalid return_val "{return_val}": expected "all", "first" or "last"')
    index = 0
    while index < len(keys) and isinstance(node, Mapping):
        node = lookup(node, keys[index]) if isinstance(node, dict) else node.get(keys[index], MISSING)
        if node is MISSING or node is None:
            return default
        index += 1
    if index == len(keys):
        if node is None or _all_empty(node):
            return default
        return wrap(node)
    if not isinstance(node, (list, tuple)):
        return default
    found = []
    _collect(node, keys[index:], found)
    found = _unique(found)
    if not found:
        return default
    if return_val == "first":
        return wrap(found[0])
    if return_val == "last":
        return wrap(found[-1])
    return wrap(found[0]) if len(found) == 1 else ImmutableList(found)


_FOLDED_BY_SHAPE = {}
_FOLDED_CACHE_LIMIT = 4096


def _folded_keys(keys: tuple) -> dict:
    """Lower-cased key → first key with that spelling, shared by dicts with the same keys."""
    folded = _FOLDED_BY_SHAPE.get(keys)
    if folded is None:
        folded = {}
        for candidate in reversed(keys):
            if isinstance(candidate, str):
                folded[candidate.lower()] = candidate
        if len(_FOLDED_BY_SHAPE) >= _FOLDED_CACHE_LIMIT:
            _FOLDED_BY_SHAPE.clear()
        _FOLDED_BY_SHAPE[keys] = folded
    return folded


class ImmutableCaseInsensitiveDict(ImmutableContainerMixin, dict):
    """A read-only mapping with case-insensitive key lookup (exact key first)."""

    __slots__ = ("_folded", "_views")

    def __init__(self, data=(), **kwargs):  # pylint: disable=super-init-not-called
        dict.__init__(self, data, **kwargs)
        self._folded = None
        self._views = None

    def _real_key(self, key: str):
        folded = self._folded
        if folded is None:
            folded = self._folded = _folded_keys(tuple(dict.keys(self)))
        return folded.get(key.lower(), MISSING)

    def _view(self, key, value):
        views = self._views
        if views is None:
            views = self._views = {}
        view = views.get(key)
        if view is None:
            view = views[key] = (
                ImmutableCaseInsensitiveDict(value) if type(value) is dict else ImmutableList(value)
            )
        return view

    def get(self, key, default=None):
        value = dict.get(self, key, MISSING)
        if value is MISSING:
            if not isinstance(key, str):
                return default
            real = self._real_key(key)
            if real is MISSING:
                return default
            key = real
            value = dict.__getitem__(self, real)
        kind = type(value)
        if kind is dict or kind is list:
            return self._view(key, value)
        if kind in _SCALARS:
            return value
        return wrap(value)

    def __getitem__(self, key):
        # The same exact-then-case-insensitive lookup as get(), raising when absent.
        value = ImmutableCaseInsensitiveDict.get(self, key, MISSING)
        if value is MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key):
        if dict.__contains__(self, key):
            return True
        return isinstance(key, str) and self._real_key(key) is not MISSING

    def __iter__(self):
        # Defined so that dict(view) and {**view} copy through __getitem__ and
        # keep nested values read-only instead of exposing the shared raw data.
        return dict.__iter__(self)

    def items(self):
        return ItemsView(self)

    def values(self):
        return ValuesView(self)

    def deep_get(self, *keys, default=None):
        """Value at the nested path `keys`, or `default` when any step is missing or the value is None."""
        return deep_get_value(self, keys, default)

    def deep_walk(self, *keys, default=None, return_val="all"):
        """Like deep_get, but searches through lists on the way (see deep_walk_value)."""
        return deep_walk_value(self, keys, default, return_val)

    __setitem__ = __delitem__ = __ior__ = _read_only
    pop = popitem = clear = update = setdefault = _read_only


class ImmutableList(ImmutableContainerMixin, list):
    """A read-only list whose nested mappings and lists are read-only too."""

    __slots__ = ()

    def __init__(self, data=()):  # pylint: disable=super-init-not-called
        list.__init__(self, data)

    def __getitem__(self, index):
        value = list.__getitem__(self, index)
        if isinstance(index, slice):
            return ImmutableList(value)
        return wrap(value)

    def __iter__(self):
        for value in list.__iter__(self):
            yield wrap(value)

    def __reversed__(self):
        for value in list.__reversed__(self):
            yield wrap(value)

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only
