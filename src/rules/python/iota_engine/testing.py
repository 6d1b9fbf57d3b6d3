"""The `test` request: a rule's YAML unit tests.

Each test runs against a fresh in-memory state store, with its mocks applied
to the rule module for the duration of the test. A test passes when `rule()`
returns the expected bool and, when it returns True, every alert function
runs cleanly.
"""

from .alerting import alert_fields
from .errors import bad_return_record, describe_error, error_record
from .event import PantherEvent
from .state import StateStore, use_store


def _describe_bool(value) -> str:
    return "true" if value else "false"


def _apply_mocks(module, mocks):
    """Replace module attributes with stubs; returns (restore list, error reason or None)."""
    saved = []
    if mocks:
        from unittest import mock  # pylint: disable=import-outside-toplevel
    for entry in mocks or []:
        name = entry.get("objectName") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not hasattr(module, name):
            return saved, f"mock target '{name}' not found in rule module"
        saved.append((name, getattr(module, name)))
        setattr(module, name, mock.MagicMock(return_value=entry.get("returnValue")))
    return saved, None


def _restore(module, saved) -> None:
    for name, original in reversed(saved):
        setattr(module, name, original)


def _run_one(rule, test: dict, models, capture, key) -> dict:
    result = {"name": test.get("name"), "passed": False, "matched": None, "reason": None, "alert": None}
    log = test.get("log")
    if not isinstance(log, dict):
        result["reason"] = f"test log must be an object, got {type(log).__name__}"
        return result
    log_type = test.get("log_type") or log.get("p_log_type") or (rule.log_types[0] if rule.log_types else None)
    event = PantherEvent(log, models.for_log_type(log_type))
    expected = test.get("expected")
    saved, mock_error = _apply_mocks(rule.module, test.get("mocks"))
    previous_store = use_store(StateStore(":memory:"))
    capture.key = key
    try:
        if mock_error:
            result["reason"] = mock_error
            return result
        try:
            matched = rule.rule(event)
        except (Exception, SystemExit) as exc:  # pylint: disable=broad-except
            result["reason"] = "rule raised " + describe_error(error_record(exc, rule.path), with_code=True)
            return result
        if not isinstance(matched, bool):
            result["reason"] = describe_error(bad_return_record("rule", matched, "a bool"))
            return result
        result["matched"] = matched
        failures = []
        if expected is not None and matched != expected:
            failures.append(f"expected {_describe_bool(expected)}, rule returned {_describe_bool(matched)}")
        if matched:
            fields, errors = alert_fields(rule, event)
            result["alert"] = fields
            for error in errors:
                function = error["type"].split(":", 1)[0]
                if error["type"].endswith(":bad_return") or error["type"].endswith(":too_large"):
                    failures.append(error["message"])
                else:
                    failures.append(f"{function} raised {describe_error(error, with_code=True)}")
        result["passed"] = not failures
        result["reason"] = "; ".join(failures) or None
        return result
    finally:
        capture.key = None
        use_store(previous_store).close()
        _restore(rule.module, saved)


def run_tests(rule_set, request: dict, capture) -> dict:
    """Response to a `test` request."""
    index = request.get("rule")
    rules = rule_set.rules
    if not isinstance(index, int) or not 0 <= index < len(rules):
        raise ValueError(f"No rule at index {index}")
    rule = rules[index]
    results = []
    for number, test in enumerate(request.get("tests") or []):
        if not rule.loaded:
            results.append(
                {
                    "name": test.get("name"),
                    "passed": False,
                    "matched": None,
                    "reason": f"rule failed to load: {rule.error}",
                    "alert": None,
                    "output": "",
                }
            )
            continue
        key = ("test", number)
        outcome = _run_one(rule, test, rule_set.data_models, capture, key)
        outcome["output"] = capture.take(key)
        results.append(outcome)
    return {"ok": True, "results": results}
