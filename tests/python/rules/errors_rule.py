"""Behaviour chosen by the event's `mode` field."""


def rule(event):
    mode = event.get("mode")
    if mode == "raise":
        return event["noSuchField"]
    if mode == "str":
        return "yes"
    if mode == "int":
        return 1
    if mode == "none":
        return None
    if mode == "exit":
        raise SystemExit(3)
    return mode == "match"
