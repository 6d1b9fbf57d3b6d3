"""`PantherEvent`: the read-only event a rule's functions receive."""

from datetime import datetime, timezone

from .immutable import ImmutableCaseInsensitiveDict, deep_get_value, json_encoder, wrap


class PantherEvent(ImmutableCaseInsensitiveDict):
    """A normalized event with `deep_get`, `deep_walk` and data model access through `udm`."""

    __slots__ = ("data_model", "lookup_function")

    def __init__(self, event=(), data_model=None):  # pylint: disable=super-init-not-called
        dict.__init__(self, event)
        self._folded = None
        self._views = None
        self.data_model = data_model
        self.lookup_function = None

    def udm(self, *key, default=None):
        """Value of a data model name for this event's log type.

        The first key is looked up in the data model: a path gives the value
        it reaches, a method is called with the event. Further keys walk into
        that value. A name the data model maps but that yields nothing gives
        `default`. Without a data model or mapping, `p_udm.<keys>` and then
        the keys themselves are looked up in the event.

        Raises ValueError when a path matches more than one field.
        """
        if not key:
            return default
        model = self.data_model
        if model is not None:
            name = key[0]
            path = model.paths.get(name)
            method = None if path is not None else model.methods.get(name)
            if path is not None or method is not None:
                if path is not None:
                    matches = path.find(self)
                    if len(matches) > 1:
                        raise ValueError(
                            f'Data model path "{path}" for "{name}" matched {len(matches)} fields'
                        )
                    value = matches[0] if matches else None
                else:
                    value = method(self)
                return deep_get_value(value, key[1:], default)
        value = deep_get_value(self, ("p_udm",) + key)
        if value is None:
            value = deep_get_value(self, key)
        return default if value is None else value

    def udm_path(self, key):
        """The path or method name a data model name maps to, or None."""
        model = self.data_model
        if model is None:
            return None
        if key in model.paths:
            return str(model.paths[key])
        method = model.methods.get(key)
        return getattr(method, "__name__", None) if method is not None else None

    def lookup(self, lookup_name, lookup_key):
        """Lookup-table data; in unit tests read from `_mocked_lookup_data_` in the event."""
        if self.lookup_function is not None:
            return self.lookup_function(self, lookup_name, lookup_key)
        return self.deep_get("_mocked_lookup_data_", lookup_name, lookup_key)

    def event_time_epoch(self, force_utc: bool = True) -> int:
        """`p_event_time` as epoch seconds, or 0 when it is missing or unreadable."""
        text = self.get("p_event_time")
        if not isinstance(text, str) or not text:
            return 0
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return 0
        if moment.tzinfo is None and force_utc:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp())

    json_encoder = staticmethod(json_encoder)
    _ensure_immutable = staticmethod(wrap)
