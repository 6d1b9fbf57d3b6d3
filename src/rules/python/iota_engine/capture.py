"""Per-rule capture of what rule code writes to sys.stdout and sys.stderr.

One `OutputCapture` replaces both streams for the life of the worker. While
`key` is set, writes go to that key's buffer (up to `LIMIT_BYTES`, then a
truncation marker); otherwise they pass through to the real stderr.
"""

import io

LIMIT_BYTES = 4096
TRUNCATED_MARKER = "…[truncated]"


class _Buffer:
    __slots__ = ("parts", "size", "truncated")

    def __init__(self):
        self.parts = []
        self.size = 0
        self.truncated = False


class OutputCapture(io.TextIOBase):
    """A text stream that files writes under the current key."""

    def __init__(self, passthrough):
        super().__init__()
        self._passthrough = passthrough
        self._buffers = {}
        self.key = None

    @property
    def encoding(self):
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        key = self.key
        if key is None:
            self._passthrough.write(text)
            return len(text)
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = _Buffer()
        if buffer.truncated or not text:
            return len(text)
        data = text.encode("utf-8", "replace")
        room = LIMIT_BYTES - buffer.size
        if len(data) <= room:
            buffer.parts.append(text)
            buffer.size += len(data)
        else:
            buffer.parts.append(data[:room].decode("utf-8", "ignore"))
            buffer.parts.append(TRUNCATED_MARKER)
            buffer.size = LIMIT_BYTES
            buffer.truncated = True
        return len(text)

    def flush(self) -> None:
        if self.key is None:
            self._passthrough.flush()

    def take(self, key) -> str:
        """The text captured under `key` (empty string if none), removing it."""
        buffer = self._buffers.pop(key, None)
        return "".join(buffer.parts) if buffer else ""

    def take_all(self) -> dict:
        """Every non-empty capture by key, removing them."""
        taken = {key: "".join(buffer.parts) for key, buffer in self._buffers.items() if buffer.parts}
        self._buffers.clear()
        return taken
