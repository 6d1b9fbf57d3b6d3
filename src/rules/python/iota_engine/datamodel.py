"""Data models: names that `event.udm(name)` resolves per log type.

A data model maps a name either to a path into the event (`$.a.b`, `a.b`,
`a[0].b`, `a[*].b`, `$['a.b']`) or to a method, a function of the data
model's Python module that receives the event.
"""

import re
from collections.abc import Mapping

from .immutable import MISSING, lookup

_NAME_CHARS = re.compile(r"[^.\[]+")


class JsonPath:
    """A small JSONPath subset: child names, [index], [*] and ['quoted name']."""

    def __init__(self, text: str):
        self.text = text
        self.steps = _parse(text)

    def find(self, root) -> list:
        """Every value the path reaches from `root` (raw values, in document order)."""
        nodes = [root]
        for kind, arg in self.steps:
            reached = []
            for node in nodes:
                if kind == "key":
                    if isinstance(node, dict):
                        value = lookup(node, arg)
                        if value is not MISSING:
                            reached.append(value)
                    elif isinstance(node, Mapping) and arg in node:
                        reached.append(node[arg])
                elif kind == "index":
                    if isinstance(node, (list, tuple)) and -len(node) <= arg < len(node):
                        reached.append(_raw_list(node)[arg])
                elif isinstance(node, dict):
                    reached.extend(dict.values(node))
                elif isinstance(node, (list, tuple)):
                    reached.extend(_raw_list(node))
            nodes = reached
        return nodes

    def __str__(self) -> str:
        return self.text


def _raw_list(node) -> list:
    return list(list.__iter__(node)) if isinstance(node, list) else list(node)


def _parse(text: str) -> list:
    source = text.strip()
    if source.startswith("$"):
        source = source[1:]
    steps = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == ".":
            if source.startswith("..", pos):
                raise ValueError(f'Unsupported data model path "{text}": recursive descent (..)')
            pos += 1
            continue
        if char == "[":
            end = source.find("]", pos)
            if end < 0:
                raise ValueError(f'Invalid data model path "{text}": unclosed [')
            inner = source[pos + 1 : end].strip()
            pos = end + 1
            if inner == "*":
                steps.append(("all", None))
            elif re.fullmatch(r"-?\d+", inner):
                steps.append(("index", int(inner)))
            elif len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
                steps.append(("key", inner[1:-1]))
            else:
                raise ValueError(f'Unsupported data model path "{text}": [{inner}]')
            continue
        match = _NAME_CHARS.match(source, pos)
        name = match.group(0)
        pos = match.end()
        steps.append(("all", None) if name == "*" else ("key", name))
    return steps


class DataModel:
    """Named paths and methods for one or more log types."""

    def __init__(self, data_model_id: str, paths=None, methods=None):
        self.data_model_id = data_model_id
        self.paths = dict(paths or {})
        self.methods = dict(methods or {})


class DataModelRegistry:
    """Data models by log type."""

    def __init__(self):
        self._by_log_type = {}

    def add(self, log_types, model: DataModel) -> None:
        for log_type in log_types:
            self._by_log_type[log_type] = model

    def for_log_type(self, log_type):
        """The data model for `log_type`, or None."""
        if not self._by_log_type or not isinstance(log_type, str):
            return None
        return self._by_log_type.get(log_type)
