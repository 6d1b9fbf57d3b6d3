from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    as_list,
    aws_context,
    dig,
    is_aws_service_caller,
    is_failed,
    text,
)

KMS_KEY_EVENTS = {"ScheduleKeyDeletion", "DisableKey"}
KMS_SOURCE = "kms.amazonaws.com"


def rule(event):
    if event.get("eventName") not in KMS_KEY_EVENTS:
        return False
    if event.get("eventSource") != KMS_SOURCE or is_failed(event):
        return False
    # CloudFormation schedules deletion of keys when their stack is deleted.
    return not is_aws_service_caller(event)


def _key(event):
    resource_arns = [text(dig(resource, "ARN")) for resource in as_list(event.get("resources"))]
    return (
        next((arn for arn in resource_arns if arn), None)
        or text(event.deep_get("responseElements", "keyId"))
        or text(event.deep_get("requestParameters", "keyId"))
        or "<unknown key>"
    )


def title(event):
    action = (
        "scheduled for deletion" if event.get("eventName") == "ScheduleKeyDeletion" else "disabled"
    )
    return (
        f"KMS key [{_key(event)}] {action} by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    # An actor disabling or deleting many keys is one incident.
    return actor_arn(event)


def severity(event):
    # Deletion is irreversible once the waiting period ends; a disabled key can be re-enabled.
    return "HIGH" if event.get("eventName") == "ScheduleKeyDeletion" else "DEFAULT"


def alert_context(event):
    return aws_context(
        event,
        key=_key(event),
        pending_window_days=event.deep_get("requestParameters", "pendingWindowInDays"),
        deletion_date=event.deep_get("responseElements", "deletionDate"),
    )
