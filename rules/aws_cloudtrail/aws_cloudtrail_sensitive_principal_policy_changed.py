from iota_aws_helpers import (
    account_id,
    actor_name,
    automation_severity,
    aws_context,
    is_aws_internal,
    is_failed,
    request,
)

POLICY_CHANGE_EVENTS = {
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "PutUserPolicy",
    "DeleteUserPolicy",
    "UpdateAssumeRolePolicy",
    "CreateAccessKey",
    "AddUserToGroup",
}
IAM_SOURCE = "iam.amazonaws.com"
# Principals whose permissions guard the account: cross-account admin access,
# emergency access and the security team's own tooling.
SENSITIVE_NAMES = (
    "organizationaccountaccessrole",
    "break-glass",
    "breakglass",
    "emergency",
    "security-audit",
    "securityaudit",
    "incident-response",
    "awscontroltower",
    "stacksetexecution",
)


def rule(event):
    if event.get("eventName") not in POLICY_CHANGE_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    target = _target(event).lower()
    return any(name in target for name in SENSITIVE_NAMES)


def _target(event):
    return str(request(event, "roleName") or request(event, "userName") or "")


def title(event):
    return (
        f"Sensitive principal [{_target(event)}] changed ({event.get('eventName')}) by "
        f"[{actor_name(event)}] in account [{account_id(event)}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return f"{account_id(event)}:{_target(event)}"


def alert_context(event):
    return aws_context(
        event,
        target=_target(event),
        policy=request(event, "policyArn") or request(event, "policyName"),
        group=request(event, "groupName"),
    )
