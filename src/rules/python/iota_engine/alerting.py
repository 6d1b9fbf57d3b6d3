"""Alert fields from a matching rule's optional functions.

- title, dedup: str(), cut to 1000 characters; an empty result counts as none.
  The dedup key is dedup(), else title(), else "defaultDedupString:<RuleID>".
  With no title() the title is None (the caller uses DisplayName or RuleID).
- severity(): case-insensitive; "DEFAULT" (any case) or None means the YAML severity.
- alert_context(): a mapping (None means no context), made JSON-safe, and
  replaced by an `_error` object when its JSON exceeds 200 KiB.
- description/reference/runbook(): a non-empty string, else None.
- destinations(): a list of output names; one string is one name; None means
  default routing.

A function that raises or returns the wrong type adds an error record whose
type is prefixed with the function name (`title:KeyError`) and the field
falls back as if the function were absent.
"""

import json
from collections.abc import Mapping

from .errors import bad_return_record, error_record
from .immutable import to_plain
from .loader import canonical_severity
from .protocol import json_default, to_json_safe

MAX_GENERATED_FIELD_CHARS = 1000
MAX_CONTEXT_BYTES = 200 * 1024
_CALL_FAILED = object()


def _call(rule, name: str, event, errors: list):
    function = rule.functions.get(name)
    if function is None:
        return None
    try:
        return function(event)
    except (Exception, SystemExit) as exc:  # pylint: disable=broad-except
        errors.append(error_record(exc, rule.path, f"{name}:"))
        return _CALL_FAILED


def _generated_text(rule, name: str, value, errors: list):
    """str(value) cut to the field limit; None for None, failures and empty strings."""
    if value is None or value is _CALL_FAILED:
        return None
    try:
        text = str(value)
    except Exception as exc:  # pylint: disable=broad-except
        errors.append(error_record(exc, rule.path, f"{name}:"))
        return None
    return text[:MAX_GENERATED_FIELD_CHARS] or None


def _optional_text(rule, name: str, event, errors: list):
    value = _call(rule, name, event, errors)
    if value is None or value is _CALL_FAILED:
        return None
    if not isinstance(value, str):
        errors.append(bad_return_record(name, value, "a string", f"{name}:"))
        return None
    return value or None


def _severity(rule, event, errors: list):
    value = _call(rule, "severity", event, errors)
    if value is None or value is _CALL_FAILED:
        return rule.severity
    if not isinstance(value, str):
        errors.append(bad_return_record("severity", value, "a severity string", "severity:"))
        return rule.severity
    if value.strip().upper() == "DEFAULT":
        return rule.severity
    canonical = canonical_severity(value)
    if canonical is None:
        errors.append(
            {
                "type": "severity:bad_return",
                "message": f'severity() returned unknown severity "{value[:100]}": '
                "expected Info, Low, Medium, High, Critical or DEFAULT",
                "traceback": None,
            }
        )
        return rule.severity
    return canonical


def _context(rule, event, errors: list):
    if "alert_context" not in rule.functions:
        return None
    value = _call(rule, "alert_context", event, errors)
    if value is _CALL_FAILED:
        failure = errors[-1]
        return {"_error": f"alert_context raised {failure['type'].split(':', 1)[1]}: {failure['message']}"}
    if value is None:
        return None
    if not isinstance(value, Mapping):
        record = bad_return_record("alert_context", value, "a mapping", "alert_context:")
        errors.append(record)
        return {"_error": f"alert_context must return a mapping, got {type(value).__name__}"}
    value = to_plain(value)
    try:
        text = json.dumps(value, separators=(",", ":"), allow_nan=False, default=json_default)
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(to_json_safe(value), separators=(",", ":"), allow_nan=False, default=json_default)
    if len(text) > MAX_CONTEXT_BYTES:
        errors.append(
            {
                "type": "alert_context:too_large",
                "message": f"alert_context JSON is {len(text)} bytes, over the 200 KiB limit",
                "traceback": None,
            }
        )
        return {"_error": "alert_context exceeds 200 KiB"}
    return json.loads(text)


def _destinations(rule, event, errors: list):
    value = _call(rule, "destinations", event, errors)
    if value is None or value is _CALL_FAILED:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(item) for item in value]
    errors.append(bad_return_record("destinations", value, "a list of output names", "destinations:"))
    return None


def alert_fields(rule, event):
    """(fields, errors) for a rule that matched `event`."""
    errors = []
    title = None
    if "title" in rule.functions:
        title = _generated_text(rule, "title", _call(rule, "title", event, errors), errors)
    dedup = None
    if "dedup" in rule.functions:
        dedup = _generated_text(rule, "dedup", _call(rule, "dedup", event, errors), errors)
    if dedup is None:
        dedup = title if title is not None else "defaultDedupString:" + rule.id
    fields = {
        "title": title,
        "dedup": dedup,
        "severity": _severity(rule, event, errors),
        "context": _context(rule, event, errors),
        "description": _optional_text(rule, "description", event, errors),
        "reference": _optional_text(rule, "reference", event, errors),
        "runbook": _optional_text(rule, "runbook", event, errors),
        "destinations": _destinations(rule, event, errors),
    }
    return fields, errors
