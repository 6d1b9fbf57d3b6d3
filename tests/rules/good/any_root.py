def rule(event):
    return event.deep_get("userIdentity", "type") == "Root"


def alert_context(event):
    return {"account": event.get("recipientAccountId"), "event": event.get("eventName")}
