from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_automation,
    is_failed,
    outside_principals,
    request,
)

TRUST_EVENTS = {"UpdateAssumeRolePolicy", "CreateRole"}
IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") not in TRUST_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    return bool(_outsiders(event))


def _outsiders(event):
    document = request(event, "policyDocument") or request(event, "assumeRolePolicyDocument")
    return outside_principals(document, account_id(event), conditions_scope_accounts=True)


def _role(event):
    return str(request(event, "roleName", default="<unknown role>"))


def title(event):
    verb = "created trusting" if event.get("eventName") == "CreateRole" else "now trusts"
    return (
        f"IAM role [{_role(event)}] {verb} {', '.join(_outsiders(event))} "
        f"(by [{actor_name(event)}] in account [{account_id(event)}])"
    )


def severity(event):
    if "*" in _outsiders(event):
        return "CRITICAL"
    if is_automation(event):
        # Pipelines create cross-account roles for vendors; record, do not page.
        return "INFO"
    return "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_role(event)}"


def alert_context(event):
    return aws_context(event, role=_role(event), trusted_outside_principals=_outsiders(event))
