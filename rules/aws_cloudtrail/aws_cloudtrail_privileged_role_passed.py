from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_automation,
    is_failed,
    request,
    text,
)

# Calls that hand a role to a service (they need iam:PassRole), and where the role is.
PASS_ROLE_EVENTS = {
    "CreateFunction20150331",
    "UpdateFunctionConfiguration20150331v2",
    "RunInstances",
    "AssociateIamInstanceProfile",
    "ReplaceIamInstanceProfileAssociation",
    "CreateStack",
    "UpdateStack",
    "CreateDevEndpoint",
    "CreateJob",
    "CreateNotebookInstance",
}
ROLE_PATHS = (
    ("role",),
    ("roleARN",),
    ("roleArn",),
    ("Role",),
    ("iamInstanceProfile", "arn"),
    ("iamInstanceProfile", "name"),
    ("IamInstanceProfile", "Arn"),
    ("IamInstanceProfile", "Name"),
)
PRIVILEGED_HINTS = (
    "admin",
    "poweruser",
    "organizationaccountaccess",
    "fullaccess",
    "breakglass",
    "break-glass",
)


def rule(event):
    if event.get("eventName") not in PASS_ROLE_EVENTS:
        return False
    if is_failed(event) or is_aws_internal(event) or is_automation(event):
        return False
    role = _role(event)
    return bool(role) and any(hint in role.lower().rsplit("/", 1)[-1] for hint in PRIVILEGED_HINTS)


def _role(event):
    for path in ROLE_PATHS:
        value = text(request(event, *path))
        if value:
            return value
    return None


def title(event):
    return (
        f"Privileged role [{_role(event)}] passed to {event.get('eventSource', 'a service')} "
        f"({event.get('eventName')}) by [{actor_name(event)}]"
    )


def dedup(event):
    return f"{account_id(event)}:{_role(event)}"


def alert_context(event):
    return aws_context(
        event,
        passed_role=_role(event),
        function=request(event, "functionName"),
        stack=request(event, "stackName"),
        instance=request(event, "instanceId"),
    )
