"""State that rules keep between events: string sets, counters and dictionaries.

Stored in iota's SQLite file (table `rule_state`) and shared by every worker.

Expiry (`epoch_seconds`): a value up to one week (604,800) counts as seconds
from now, a larger one as an absolute epoch time; numeric strings are accepted. When a write gives no expiry, a
new key expires after 90 days and an existing key keeps its expiry. An
expired key reads as empty. `force_ttl_check` is accepted for compatibility;
expiry is always checked.

Each key holds one kind of value: reading a key written as another kind gives
the empty value, and writing replaces it.
"""

import json
import time
from collections.abc import Mapping

from iota_engine.state import active_store

__all__ = [
    "add_to_string_set",
    "check_account_age",
    "evaluate_threshold",
    "get_counter",
    "get_dictionary",
    "get_string_set",
    "increment_counter",
    "put_dictionary",
    "put_string_set",
    "remove_from_string_set",
    "reset_counter",
    "reset_string_set",
    "set_key_expiration",
    "ttl_expired",
]

# One week: spans up to it are TTLs; anything larger is an epoch time (1970 + a week
# is in the past, so such a key has already expired).
RELATIVE_EXPIRY_LIMIT_SECS = 7 * 24 * 60 * 60
DEFAULT_EXPIRY_SECS = 90 * 24 * 60 * 60

_STRING_SET = "string_set"
_COUNTER = "counter"
_DICTIONARY = "dictionary"


def _expires_at(epoch_seconds):
    """Absolute expiry time for an `epoch_seconds` argument, or None when none is given.

    Numbers and numeric strings count; anything else (None, garbage) means no expiry was
    given, as in Panther's own helpers.
    """
    if isinstance(epoch_seconds, bool) or epoch_seconds is None:
        return None
    try:
        seconds = float(epoch_seconds)
    except (TypeError, ValueError):
        return None
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    if seconds <= RELATIVE_EXPIRY_LIMIT_SECS:
        seconds += time.time()
    return seconds


def _default_expiry():
    return time.time() + DEFAULT_EXPIRY_SECS


def _strings(val) -> set:
    if isinstance(val, str):
        return {val}
    return {str(item) for item in val}


def _encode_set(values: set) -> str:
    return json.dumps(sorted(values))


# String sets


def get_string_set(key: str, force_ttl_check: bool = False) -> set:  # pylint: disable=unused-argument
    """The set stored under `key` (empty when missing or expired)."""
    row = active_store().read(key, _STRING_SET)
    return set(json.loads(row[0])) if row else set()


def put_string_set(key: str, val, epoch_seconds=None) -> None:
    """Replace the set stored under `key` with the strings in `val`."""
    expires = _expires_at(epoch_seconds)
    active_store().write(
        key, _STRING_SET, _encode_set(_strings(val)), _default_expiry() if expires is None else expires
    )


def _update_string_set(key: str, val, epoch_seconds, add: bool) -> set:
    store = active_store()
    with store.transaction():
        row = store.read(key, _STRING_SET)
        current = set(json.loads(row[0])) if row else set()
        current = current | _strings(val) if add else current - _strings(val)
        expires = _expires_at(epoch_seconds)
        if expires is None:
            expires = row[1] if row else _default_expiry()
        if current or add:
            store.write(key, _STRING_SET, _encode_set(current), expires)
        else:
            store.delete(key, _STRING_SET)
    return current


def add_to_string_set(key: str, val, epoch_seconds=None) -> set:
    """Add a string (or each string of a collection) to the set under `key`; returns the new set."""
    return _update_string_set(key, val, epoch_seconds, add=True)


def remove_from_string_set(key: str, val, epoch_seconds=None) -> set:
    """Remove a string (or each string of a collection) from the set under `key`; returns the new set."""
    return _update_string_set(key, val, epoch_seconds, add=False)


def reset_string_set(key: str) -> None:
    """Remove the set stored under `key`."""
    active_store().delete(key, _STRING_SET)


# Counters


def get_counter(key: str, force_ttl_check: bool = False) -> int:  # pylint: disable=unused-argument
    """The counter under `key` (0 when missing or expired)."""
    row = active_store().read(key, _COUNTER)
    return int(row[0]) if row else 0


def increment_counter(key: str, val: int = 1, epoch_seconds=None) -> int:
    """Add `val` to the counter under `key`; returns the new count."""
    store = active_store()
    with store.transaction():
        row = store.read(key, _COUNTER)
        count = (int(row[0]) if row else 0) + int(val)
        expires = _expires_at(epoch_seconds)
        if expires is None:
            expires = row[1] if row else _default_expiry()
        store.write(key, _COUNTER, str(count), expires)
    return count


def reset_counter(key: str) -> None:
    """Set the counter under `key` back to 0."""
    active_store().delete(key, _COUNTER)


# Dictionaries


def put_dictionary(key: str, val, epoch_seconds=None) -> None:
    """Replace the dictionary stored under `key`.

    Raises TypeError when `val` is not a mapping and ValueError when it cannot be stored as JSON.
    """
    if not isinstance(val, Mapping):
        raise TypeError(f"put_dictionary: value must be a dictionary, got {type(val).__name__}")
    try:
        data = json.dumps(val)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"put_dictionary: value cannot be stored as JSON: {exc}") from exc
    expires = _expires_at(epoch_seconds)
    active_store().write(key, _DICTIONARY, data, _default_expiry() if expires is None else expires)


def get_dictionary(key: str, force_ttl_check: bool = False) -> dict:  # pylint: disable=unused-argument
    """The dictionary stored under `key` (empty when missing or expired)."""
    row = active_store().read(key, _DICTIONARY)
    return json.loads(row[0]) if row else {}


# Keys


def set_key_expiration(key: str, epoch_seconds) -> None:
    """Set when `key` expires (seconds from now, or an absolute epoch time)."""
    expires = _expires_at(epoch_seconds)
    active_store().set_expiry(key, _default_expiry() if expires is None else expires)


def ttl_expired(response) -> bool:
    """Whether a key-value response (`{"Item": {"expiresAt": ...}}`) has passed its expiry."""
    item = response.get("Item") if isinstance(response, Mapping) else None
    expires = item.get("expiresAt") if isinstance(item, Mapping) else None
    return bool(expires) and float(expires) <= time.time()


# Higher-level helpers


def evaluate_threshold(key: str, threshold: int = 10, expiry_seconds: int = 3600) -> bool:
    """Count one occurrence under `key`; True (and reset) once the count reaches `threshold`.

    Every occurrence moves the counter's expiry to `expiry_seconds` from now.
    """
    count = increment_counter(key, 1, epoch_seconds=time.time() + float(expiry_seconds))
    if count >= threshold:
        reset_counter(key)
        return True
    return False


def check_account_age(key) -> bool:
    """True when a live "new account" marker (a non-empty string set) is stored under `key`."""
    if not isinstance(key, str) or not key:
        return False
    return bool(get_string_set(key))
