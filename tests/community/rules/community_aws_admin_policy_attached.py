from community_aws_helpers import aws_rule_context

PRIVILEGED_POLICIES = {
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
}
TARGET_FIELDS = {
    "AttachUserPolicy": "userName",
    "AttachRolePolicy": "roleName",
    "AttachGroupPolicy": "groupName",
}


def rule(event):
    if event.get("errorCode"):
        return False
    if event.udm("event_type") == "admin_role_assigned":
        return True
    return event.get("eventName") in TARGET_FIELDS and (
        event.deep_get("requestParameters", "policyArn") in PRIVILEGED_POLICIES
    )


def _target(event):
    field = TARGET_FIELDS.get(event.get("eventName"), "userName")
    return event.deep_get("requestParameters", field, default="<UNKNOWN>")


def title(event):
    policy = event.deep_get("requestParameters", "policyArn", default="").split("/")[-1]
    return f"[{event.udm('actor_user')}] attached [{policy}] to [{_target(event)}]"


def dedup(event):
    return f"{event.get('recipientAccountId')}:{_target(event)}"


def severity(event):
    if event.get("eventName") == "AttachUserPolicy":
        # Privileges on a long-lived user are harder to contain than on a role.
        return "Critical"
    return "DEFAULT"


def alert_context(event):
    context = aws_rule_context(event)
    context["policyArn"] = event.deep_get("requestParameters", "policyArn")
    context["target"] = _target(event)
    return context
