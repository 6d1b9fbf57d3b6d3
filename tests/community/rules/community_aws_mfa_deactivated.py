from community_aws_helpers import aws_rule_context


def rule(event):
    return event.udm("event_type") == "mfa_disabled" and not event.get("errorCode")


def _target_user(event):
    serial = event.deep_get("requestParameters", "serialNumber", default="")
    return event.udm("user") or serial.split("/")[-1] or "<UNKNOWN>"


def title(event):
    return f"MFA device removed from [{_target_user(event)}] by [{event.udm('actor_user')}]"


def severity(event):
    # Removing someone else's MFA is more suspicious than managing your own.
    if event.udm("actor_user") != _target_user(event):
        return "High"
    return "DEFAULT"


def alert_context(event):
    context = aws_rule_context(event)
    context["serialNumber"] = event.deep_get("requestParameters", "serialNumber")
    return context
