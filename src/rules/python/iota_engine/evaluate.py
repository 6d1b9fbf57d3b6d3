"""The `eval` request: run target rules over a batch of events."""

from .alerting import alert_fields
from .errors import bad_return_record, error_record
from .event import PantherEvent


def _not_runnable(rule_set, index):
    if not isinstance(index, int) or not 0 <= index < len(rule_set.rules):
        return {"type": "engine", "message": f"No rule at index {index}", "traceback": None}
    rule = rule_set.rules[index]
    if not rule.loaded:
        return {"type": "import", "message": f"Rule did not load: {rule.error}", "traceback": None}
    return None


def evaluate(rule_set, events: list, targets: list, capture) -> dict:
    """Response to an `eval` request.

    `targets[i]` lists the rule indexes to run on `events[i]`. Only matches
    and errors are reported; captured output is returned per rule.
    """
    rules = rule_set.rules
    models = rule_set.data_models
    results = []
    append = results.append
    try:
        for event_index, rule_indexes in enumerate(targets):
            if not rule_indexes:
                continue
            raw = events[event_index]
            if not isinstance(raw, dict):
                for index in rule_indexes:
                    append(
                        {
                            "e": event_index,
                            "r": index,
                            "error": {
                                "type": "bad_event",
                                "message": f"Event must be an object, got {type(raw).__name__}",
                                "traceback": None,
                            },
                        }
                    )
                continue
            event = PantherEvent(raw, models.for_log_type(raw.get("p_log_type")))
            for index in rule_indexes:
                try:
                    rule = rules[index]
                    runnable = rule.loaded and index >= 0
                except (IndexError, TypeError):
                    runnable = False
                if not runnable:
                    append({"e": event_index, "r": index, "error": _not_runnable(rule_set, index)})
                    continue
                capture.key = index
                try:
                    matched = rule.rule(event)
                except (Exception, SystemExit) as exc:  # pylint: disable=broad-except
                    capture.key = None
                    append({"e": event_index, "r": index, "error": error_record(exc, rule.path)})
                    continue
                if matched is True:
                    fields, errors = alert_fields(rule, event)
                    result = {"e": event_index, "r": index, "match": fields}
                    if errors:
                        result["errors"] = errors
                    append(result)
                elif matched is not False:
                    append(
                        {
                            "e": event_index,
                            "r": index,
                            "error": bad_return_record("rule", matched, "a bool"),
                        }
                    )
                capture.key = None
    finally:
        capture.key = None
    output = [{"r": index, "text": text} for index, text in capture.take_all().items()]
    return {"ok": True, "results": results, "output": output}
