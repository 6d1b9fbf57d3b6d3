from panther_detection_helpers.caching import increment_counter

from iota_aws_helpers import (
    actor_name,
    as_list,
    automation_severity,
    aws_context,
    dig,
    is_aws_internal,
    is_failed,
    principal_key,
    request,
)

DELETE_EVENTS = {"DeleteObject", "DeleteObjects"}
S3_SOURCE = "s3.amazonaws.com"
OBJECTS_THRESHOLD = 100
WINDOW_SECONDS = 600


def rule(event):
    if event.get("eventName") not in DELETE_EVENTS:
        return False
    # Lifecycle expiration runs as the S3 service and is ignored.
    if event.get("eventSource") != S3_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    deleted = increment_counter(_key(event), _object_count(event), epoch_seconds=WINDOW_SECONDS)
    return deleted >= OBJECTS_THRESHOLD


def _bucket(event):
    return str(request(event, "bucketName", default="<unknown bucket>"))


def _key(event):
    return f"s3-deleted:{principal_key(event)}:{_bucket(event)}"


def _object_count(event):
    """Objects removed by this call: the object resources of a batch delete, else one."""
    objects = [
        resource
        for resource in as_list(event.get("resources"))
        if dig(resource, "type") == "AWS::S3::Object"
    ]
    if event.get("eventName") == "DeleteObjects":
        listed = as_list(request(event, "delete", "Object"))
        return max(len(objects), len(listed), 1)
    return 1


def title(event):
    return (
        f"[{actor_name(event)}] deleted {OBJECTS_THRESHOLD}+ objects from bucket "
        f"[{_bucket(event)}] within {WINDOW_SECONDS // 60} minutes"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return f"{principal_key(event)}:{_bucket(event)}"


def alert_context(event):
    return aws_context(
        event,
        bucket=_bucket(event),
        principal=principal_key(event),
        objects_in_this_call=_object_count(event),
    )
