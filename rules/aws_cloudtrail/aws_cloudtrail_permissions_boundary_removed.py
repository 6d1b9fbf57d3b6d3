from iota_aws_helpers import (
    account_id,
    actor_name,
    automation_severity,
    aws_context,
    is_failed,
    request,
)

BOUNDARY_EVENTS = {"DeleteRolePermissionsBoundary", "DeleteUserPermissionsBoundary"}
IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") not in BOUNDARY_EVENTS:
        return False
    return event.get("eventSource") == IAM_SOURCE and not is_failed(event)


def _principal(event):
    return str(request(event, "roleName") or request(event, "userName") or "<unknown>")


def title(event):
    kind = "role" if "Role" in event.get("eventName") else "user"
    return (
        f"Permissions boundary removed from IAM {kind} [{_principal(event)}] by "
        f"[{actor_name(event)}] in account [{account_id(event)}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return f"{account_id(event)}:{_principal(event)}"


def alert_context(event):
    return aws_context(event, principal=_principal(event))
