"""Every alert function, driven by fields of the event."""


def rule(event):
    return True


def title(event):
    mode = event.get("title")
    if mode == "raise":
        return event["missingTitleField"]
    if mode == "long":
        return "t" * 2000
    if mode == "empty":
        return ""
    if mode == "number":
        return 42
    return f"Title {event.get('n')}"


def dedup(event):
    mode = event.get("dedup")
    if mode == "long":
        return "d" * 1500
    if mode == "empty":
        return ""
    if mode == "raise":
        raise ValueError("no dedup")
    return f"dedup-{event.get('n')}"


def severity(event):
    value = event.get("sev")
    if value == "raise":
        raise RuntimeError("bad severity lookup")
    return value


def alert_context(event):
    mode = event.get("ctx")
    if mode == "list":
        return [1, 2]
    if mode == "big":
        return {"blob": "a" * (210 * 1024)}
    if mode == "raise":
        raise KeyError("ctxkey")
    if mode == "none":
        return None
    return {
        "n": event.get("n"),
        "tags": {"b", "a"},
        "obj": object.__name__,
        "nested": event.get("nested"),
        "nan": float("nan"),
        ("tuple", "key"): 1,
    }


def description(event):
    return event.get("desc")


def reference(event):
    return event.get("ref", "")


def runbook(event):
    return "Check the user."


def destinations(event):
    mode = event.get("dest")
    if mode == "string":
        return "slack"
    if mode == "list":
        return ["slack", "pagerduty"]
    if mode == "bad":
        return 7
    return None
