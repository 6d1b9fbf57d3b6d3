"""The key-value store behind `panther_detection_helpers.caching`.

Rows live in the `rule_state` table of iota's SQLite file, so every worker
process shares them. Each key holds one kind of value (`string_set`,
`counter` or `dictionary`) and an optional expiry time in epoch seconds; an
expired row reads as absent.
"""

import sqlite3
import time
from contextlib import contextmanager

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rule_state ("
    "key TEXT PRIMARY KEY, kind TEXT, value TEXT, expires_at REAL)"
)
BUSY_TIMEOUT_SECS = 10


class StateStore:
    """One SQLite connection to the rule state, opened on first use."""

    def __init__(self, path=None):
        self.path = path or ":memory:"
        self._conn = None
        self._in_transaction = False

    def _connection(self) -> sqlite3.Connection:
        conn = self._conn
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECS, isolation_level=None, check_same_thread=False
            )
            conn.execute(_SCHEMA)
            conn.execute(
                "DELETE FROM rule_state WHERE expires_at IS NOT NULL AND expires_at <= ?",
                (time.time(),),
            )
            self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def transaction(self):
        """Run a read-modify-write under one write lock (BEGIN IMMEDIATE); nests as a no-op."""
        if self._in_transaction:
            yield
            return
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._in_transaction = False
            conn.execute("ROLLBACK")
            raise
        self._in_transaction = False
        conn.execute("COMMIT")

    def read(self, key: str, kind: str):
        """(value, expires_at) of a live row of `kind`, or None."""
        row = self._connection().execute(
            "SELECT kind, value, expires_at FROM rule_state WHERE key = ?", (key,)
        ).fetchone()
        if row is None or row[0] != kind:
            return None
        if row[2] is not None and row[2] <= time.time():
            return None
        return row[1], row[2]

    def read_any(self, key: str):
        """(kind, value) of a live row of any kind, or None."""
        row = self._connection().execute(
            "SELECT kind, value, expires_at FROM rule_state WHERE key = ?", (key,)
        ).fetchone()
        if row is None or (row[2] is not None and row[2] <= time.time()):
            return None
        return row[0], row[1]

    def write(self, key: str, kind: str, value: str, expires_at) -> None:
        self._connection().execute(
            "INSERT INTO rule_state (key, kind, value, expires_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, value = excluded.value, "
            "expires_at = excluded.expires_at",
            (key, kind, value, expires_at),
        )

    def delete(self, key: str, kind=None) -> None:
        if kind is None:
            self._connection().execute("DELETE FROM rule_state WHERE key = ?", (key,))
        else:
            self._connection().execute(
                "DELETE FROM rule_state WHERE key = ? AND kind = ?", (key, kind)
            )

    def set_expiry(self, key: str, expires_at) -> None:
        self._connection().execute(
            "UPDATE rule_state SET expires_at = ? WHERE key = ?", (expires_at, key)
        )


_active = StateStore()


def active_store() -> StateStore:
    """The store rules currently read and write."""
    return _active


def use_store(store: StateStore) -> StateStore:
    """Make `store` the active one; returns the previous store."""
    global _active  # pylint: disable=global-statement
    previous = _active
    _active = store
    return previous
