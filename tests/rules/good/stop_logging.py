def rule(event):
    return event.get("eventName") == "StopLogging"


def title(event):
    return f"Logging stopped by {event.deep_get('userIdentity', 'arn', default='unknown')}"


def dedup(event):
    return event.deep_get("userIdentity", "arn", default="unknown")
