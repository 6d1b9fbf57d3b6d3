from iota_aws_helpers import (
    account_id,
    actor_name,
    as_list,
    aws_context,
    dig,
    is_aws_internal,
    principal_key,
    request,
)

LAUNCH_EVENTS = {"RunInstances"}
EC2_SOURCE = "ec2.amazonaws.com"
# GPU, accelerator and very large families: what cryptominers and LLM hijackers ask for.
UNUSUAL_FAMILIES = (
    "p2",
    "p3",
    "p4",
    "p5",
    "g3",
    "g4",
    "g5",
    "g6",
    "inf1",
    "inf2",
    "trn1",
    "trn2",
    "dl1",
    "dl2",
    "x1",
    "x2",
    "u-",
    "f1",
    "vt1",
)
UNUSUAL_SIZES = ("metal", "24xlarge", "32xlarge", "48xlarge", "56xlarge", "112xlarge")
MANY_INSTANCES = 20


def rule(event):
    if event.get("eventName") not in LAUNCH_EVENTS:
        return False
    # Denied launches count: attackers try instance types until one is allowed.
    if event.get("eventSource") != EC2_SOURCE or is_aws_internal(event):
        return False
    return _unusual_type(event) or _count(event) >= MANY_INSTANCES


def _instance_type(event):
    return str(request(event, "instanceType", default=""))


def _unusual_type(event):
    family, _, size = _instance_type(event).partition(".")
    return family.startswith(UNUSUAL_FAMILIES) or size in UNUSUAL_SIZES


def _count(event):
    counts = [
        dig(item, "maxCount", default=dig(item, "minCount", default=1))
        for item in as_list(request(event, "instancesSet", "items"))
    ]
    total = 0
    for value in counts:
        try:
            total += int(value)
        except (TypeError, ValueError):
            total += 1
    return total


def title(event):
    outcome = "tried to launch" if event.get("errorCode") else "launched"
    return (
        f"[{actor_name(event)}] {outcome} {_count(event)} x [{_instance_type(event)}] in "
        f"[{event.get('awsRegion')}] of account [{account_id(event)}]"
    )


def severity(event):
    return "LOW" if event.get("errorCode") else "DEFAULT"


def dedup(event):
    return f"{principal_key(event)}:{event.get('awsRegion')}"


def alert_context(event):
    return aws_context(
        event,
        instance_type=_instance_type(event),
        count=_count(event),
        instances=event.deep_walk("responseElements", "instancesSet", "items", "instanceId"),
        error_code=event.get("errorCode"),
    )
