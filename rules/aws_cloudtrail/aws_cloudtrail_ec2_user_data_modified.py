from iota_aws_helpers import (
    account_id,
    actor_name,
    automation_severity,
    aws_context,
    is_aws_internal,
    is_failed,
    request,
)

MODIFY_EVENTS = {"ModifyInstanceAttribute"}
EC2_SOURCE = "ec2.amazonaws.com"


def rule(event):
    if event.get("eventName") not in MODIFY_EVENTS:
        return False
    if event.get("eventSource") != EC2_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    return request(event, "userData") is not None or request(event, "attribute") == "userData"


def _instance(event):
    return str(request(event, "instanceId", default="<unknown instance>"))


def title(event):
    return (
        f"User data of EC2 instance [{_instance(event)}] replaced by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return f"{account_id(event)}:{_instance(event)}"


def alert_context(event):
    return aws_context(event, instance=_instance(event))
