from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, request

ROLES_ANYWHERE_EVENTS = {"CreateTrustAnchor", "UpdateTrustAnchor", "CreateProfile", "UpdateProfile"}
ROLES_ANYWHERE_SOURCE = "rolesanywhere.amazonaws.com"


def rule(event):
    if event.get("eventName") not in ROLES_ANYWHERE_EVENTS:
        return False
    return event.get("eventSource") == ROLES_ANYWHERE_SOURCE and not is_failed(event)


def _name(event):
    return str(
        request(event, "name")
        or request(event, "trustAnchorId")
        or request(event, "profileId")
        or "<unknown>"
    )


def title(event):
    thing = "trust anchor" if "TrustAnchor" in event.get("eventName") else "profile"
    verb = "created" if event.get("eventName").startswith("Create") else "changed"
    return (
        f"IAM Roles Anywhere {thing} [{_name(event)}] {verb} by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def severity(event):
    # A trust anchor decides whose certificates are trusted; profiles only map roles.
    return "HIGH" if "TrustAnchor" in event.get("eventName") else "DEFAULT"


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(
        event,
        name=_name(event),
        source=request(event, "source"),
        role_arns=request(event, "roleArns"),
    )
