"""Length-prefixed JSON frames between the Deno process and the worker.

Each frame is a 4-byte big-endian unsigned length followed by that many bytes
of UTF-8 JSON. The same framing is used in both directions.
"""

import json
import math
import os
import struct

_HEADER = struct.Struct(">I")
_READ_BUFFER_BYTES = 1 << 16


class FrameError(Exception):
    """The input stream ended in the middle of a frame."""


class Channel:
    """Reads request frames from one file descriptor and writes response frames to another."""

    def __init__(self, in_fd: int, out_fd: int):
        self._reader = open(in_fd, "rb", buffering=_READ_BUFFER_BYTES, closefd=False)
        self._out_fd = out_fd

    def read(self):
        """Return the next frame's payload as bytes, or None at a clean end of input.

        Raises FrameError when the input ends inside a frame.
        """
        header = self._reader.read(_HEADER.size)
        if not header:
            return None
        if len(header) < _HEADER.size:
            raise FrameError("input ended inside a frame header")
        (length,) = _HEADER.unpack(header)
        payload = self._reader.read(length) if length else b""
        if len(payload) < length:
            raise FrameError(f"input ended after {len(payload)} of {length} frame bytes")
        return payload

    def write(self, message) -> None:
        """Encode `message` as JSON and write it as one frame."""
        payload = encode(message)
        data = memoryview(_HEADER.pack(len(payload)) + payload)
        while data:
            written = os.write(self._out_fd, data)
            data = data[written:]


def encode(message) -> bytes:
    """JSON bytes for `message`; values JSON cannot hold are turned into strings or null."""
    try:
        text = json.dumps(message, separators=(",", ":"), allow_nan=False, default=json_default)
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(
            to_json_safe(message), separators=(",", ":"), allow_nan=False, default=json_default
        )
    return text.encode("ascii")


def json_default(value):
    """`default=` hook for json.dumps: sets become lists, everything else its str()."""
    if isinstance(value, (set, frozenset)):
        items = list(value)
        try:
            items.sort()
        except TypeError:
            pass
        return items
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        try:
            return isoformat()
        except Exception:  # pylint: disable=broad-except
            pass
    return str(value)


def to_json_safe(value, depth: int = 0):
    """A copy of `value` made only of JSON types: str keys, finite numbers, no cycles."""
    if depth > 100:
        return "<nested too deeply>"
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        try:
            pairs = list(dict.items(value)) if isinstance(value, dict) else list(value.items())
        except Exception:  # pylint: disable=broad-except
            return str(value)
        return {_json_key(k): to_json_safe(v, depth + 1) for k, v in pairs}
    if isinstance(value, (list, tuple)):
        items = list.__iter__(value) if isinstance(value, list) else value
        return [to_json_safe(v, depth + 1) for v in items]
    return to_json_safe(json_default(value), depth + 1)


def _json_key(key) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    return str(key)
