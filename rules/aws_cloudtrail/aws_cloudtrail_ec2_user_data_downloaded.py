from panther_detection_helpers.caching import get_string_set

from iota_aws_helpers import (
    add_new_to_set,
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_automation,
    principal_key,
    request,
)

ATTRIBUTE_EVENTS = {"DescribeInstanceAttribute"}
EC2_SOURCE = "ec2.amazonaws.com"
USER_DATA = "userData"
MANY_INSTANCES = 5
WINDOW_SECONDS = 900


def rule(event):
    if event.get("eventName") not in ATTRIBUTE_EVENTS:
        return False
    if event.get("eventSource") != EC2_SOURCE or is_aws_internal(event):
        return False
    if request(event, "attribute") != USER_DATA:
        return False
    add_new_to_set(_key(event), _instance(event), epoch_seconds=WINDOW_SECONDS)
    return True


def _key(event):
    return f"userdata-read:{principal_key(event)}"


def _instance(event):
    return str(request(event, "instanceId", default="<unknown instance>"))


def _instances_read(event):
    return get_string_set(_key(event))


def title(event):
    return (
        f"[{actor_name(event)}] downloaded EC2 user data of [{_instance(event)}] "
        f"in account [{account_id(event)}]"
    )


def severity(event):
    if is_automation(event):
        return "INFO"
    # Reading the user data of many instances is harvesting, not troubleshooting.
    return "MEDIUM" if len(_instances_read(event)) >= MANY_INSTANCES else "DEFAULT"


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(event, instance=_instance(event), error_code=event.get("errorCode"))
