from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    grants_full_admin,
    is_automation,
    is_failed,
    request,
)

POLICY_VERSION_EVENTS = {"CreatePolicyVersion", "SetDefaultPolicyVersion"}
IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") not in POLICY_VERSION_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    if event.get("eventName") == "CreatePolicyVersion":
        # A version that is not made default changes nothing yet.
        return request(event, "setAsDefault") is True
    return True


def _policy(event):
    return str(request(event, "policyArn", default="<unknown policy>"))


def title(event):
    what = (
        "new default version"
        if event.get("eventName") == "CreatePolicyVersion"
        else (f"default version switched to [{request(event, 'versionId')}]")
    )
    admin = " granting full admin" if grants_full_admin(request(event, "policyDocument")) else ""
    return f"IAM policy [{_policy(event)}]: {what}{admin} by [{actor_name(event)}]"


def severity(event):
    if grants_full_admin(request(event, "policyDocument")):
        return "HIGH"
    return "INFO" if is_automation(event) else "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_policy(event)}"


def alert_context(event):
    return aws_context(
        event,
        policy=_policy(event),
        version=request(event, "versionId"),
        grants_full_admin=grants_full_admin(request(event, "policyDocument")),
    )
