from iota_aws_helpers import (
    account_id,
    actor_name,
    automation_severity,
    aws_context,
    is_aws_internal,
    principal_key,
    request,
)

PASSWORD_DATA_EVENTS = {"GetPasswordData"}
EC2_SOURCE = "ec2.amazonaws.com"


def rule(event):
    if event.get("eventName") not in PASSWORD_DATA_EVENTS:
        return False
    # Failed attempts count too: probing many instances is the technique.
    return event.get("eventSource") == EC2_SOURCE and not is_aws_internal(event)


def _instance(event):
    return str(request(event, "instanceId", default="<unknown instance>"))


def title(event):
    outcome = "tried to retrieve" if event.get("errorCode") else "retrieved"
    return (
        f"[{actor_name(event)}] {outcome} the Windows administrator password data of "
        f"[{_instance(event)}] in account [{account_id(event)}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(event, instance=_instance(event), error_code=event.get("errorCode"))
