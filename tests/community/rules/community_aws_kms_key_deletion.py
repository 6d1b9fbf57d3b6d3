from community_aws_helpers import actor_arn, aws_rule_context

SHORT_WINDOW_DAYS = 7


def rule(event):
    return (
        event.get("eventSource") == "kms.amazonaws.com"
        and event.get("eventName") in ("ScheduleKeyDeletion", "DisableKey")
        and not event.get("errorCode")
    )


def title(event):
    key = event.deep_get("requestParameters", "keyId", default="<UNKNOWN>")
    return f"KMS key [{key}] {event.get('eventName')} by [{actor_arn(event)}]"


def severity(event):
    window = event.deep_get("requestParameters", "pendingWindowInDays")
    if (
        event.get("eventName") == "ScheduleKeyDeletion"
        and window is not None
        and window <= SHORT_WINDOW_DAYS
    ):
        return "HIGH"
    return "DEFAULT"


def alert_context(event):
    context = aws_rule_context(event)
    context["deletionDate"] = event.deep_get("responseElements", "deletionDate")
    return context
