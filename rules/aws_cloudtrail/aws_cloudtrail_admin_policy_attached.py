from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    as_list,
    aws_context,
    is_aws_service_caller,
    is_failed,
    policy_statements,
    text,
)

ADMIN_GRANT_EVENTS = {
    "AttachUserPolicy",
    "AttachRolePolicy",
    "AttachGroupPolicy",
    "PutUserPolicy",
    "PutRolePolicy",
    "PutGroupPolicy",
}
IAM_SOURCE = "iam.amazonaws.com"
# AWS managed policies that grant, or can grant themselves, full control.
ADMIN_MANAGED_POLICIES = {"AdministratorAccess", "IAMFullAccess"}
PRINCIPAL_KEYS = (("userName", "user"), ("roleName", "role"), ("groupName", "group"))


def rule(event):
    if event.get("eventName") not in ADMIN_GRANT_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    # IAM Identity Center and CloudFormation attach admin policies to roles they manage.
    if is_aws_service_caller(event):
        return False
    return _grant(event) is not None


def _managed_admin_policy(policy_arn):
    # arn:aws:iam::aws:policy/AdministratorAccess, in any partition, AWS managed only.
    arn = text(policy_arn) or ""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or parts[4] != "aws":
        return None
    name = parts[5].rsplit("/", 1)[-1]
    return name if name in ADMIN_MANAGED_POLICIES else None


def _statement_is_admin(statement):
    if statement.get("Effect") != "Allow":
        return False
    actions = {str(action) for action in as_list(statement.get("Action"))}
    resources = {str(resource) for resource in as_list(statement.get("Resource"))}
    return bool(actions & {"*", "*:*"}) and "*" in resources


def _grant(event):
    """The admin policy granted (managed policy name or "inline NAME"), or None."""
    if str(event.get("eventName")).startswith("Attach"):
        return _managed_admin_policy(event.deep_get("requestParameters", "policyArn"))
    document = event.deep_get("requestParameters", "policyDocument")
    if any(_statement_is_admin(statement) for statement in policy_statements(document)):
        return f"inline {event.deep_get('requestParameters', 'policyName', default='<unnamed>')}"
    return None


def _principal(event):
    for key, kind in PRINCIPAL_KEYS:
        name = text(event.deep_get("requestParameters", key))
        if name:
            return kind, name
    return "principal", "<unknown>"


def title(event):
    kind, name = _principal(event)
    return (
        f"[{actor_name(event)}] granted administrator access ({_grant(event)}) to IAM {kind} "
        f"[{name}] in account [{account_id(event)}]"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    kind, name = _principal(event)
    return aws_context(event, target_type=kind, target_name=name, policy=_grant(event))
