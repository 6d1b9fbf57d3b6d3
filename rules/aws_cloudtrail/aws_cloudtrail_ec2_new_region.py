import time

from panther_detection_helpers.caching import add_to_string_set, get_string_set

from iota_aws_helpers import (
    account_id,
    actor_name,
    automation_severity,
    aws_context,
    is_aws_internal,
    is_failed,
)

LAUNCH_EVENTS = {"RunInstances"}
EC2_SOURCE = "ec2.amazonaws.com"
# Regions the account launched in during the last 180 days count as used.
MEMORY_SECONDS = 180 * 24 * 3600


def rule(event):
    if event.get("eventName") not in LAUNCH_EVENTS:
        return False
    if event.get("eventSource") != EC2_SOURCE or is_failed(event):
        return False
    region = str(event.get("awsRegion") or "")
    key = f"ec2-regions:{account_id(event)}"
    known = get_string_set(key)
    if region in known:
        return False
    # Learn from every launch, Auto Scaling included; over one week means absolute time.
    add_to_string_set(key, region, epoch_seconds=int(time.time()) + MEMORY_SECONDS)
    # The first region an account is seen in is its baseline, not an alert.
    return bool(known) and not is_aws_internal(event)


def title(event):
    return (
        f"EC2 instances launched in region [{event.get('awsRegion')}], new for account "
        f"[{account_id(event)}], by [{actor_name(event)}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return f"{account_id(event)}:{event.get('awsRegion')}"


def alert_context(event):
    return aws_context(
        event,
        instance_type=event.deep_get("requestParameters", "instanceType"),
        instances=event.deep_walk("responseElements", "instancesSet", "items", "instanceId"),
    )
