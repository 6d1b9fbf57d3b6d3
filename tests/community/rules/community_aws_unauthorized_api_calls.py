from community_aws_helpers import actor_arn, aws_rule_context, is_service_principal

DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
}


def rule(event):
    return event.get("errorCode") in DENIED_CODES and not is_service_principal(event)


def title(event):
    return f"Repeated access denied errors for [{actor_arn(event)}]"


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    context = aws_rule_context(event)
    context["errorMessage"] = event.get("errorMessage")
    return context
