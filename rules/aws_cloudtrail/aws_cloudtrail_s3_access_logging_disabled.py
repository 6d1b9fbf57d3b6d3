from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    is_mapping,
    request,
)

LOGGING_EVENTS = {"PutBucketLogging"}
S3_SOURCE = "s3.amazonaws.com"


def rule(event):
    if event.get("eventName") not in LOGGING_EVENTS:
        return False
    if event.get("eventSource") != S3_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    status = request(event, "BucketLoggingStatus")
    # An empty BucketLoggingStatus (no LoggingEnabled element) turns logging off.
    return not (is_mapping(status) and status.get("LoggingEnabled"))


def _bucket(event):
    return str(request(event, "bucketName", default="<unknown bucket>"))


def title(event):
    return (
        f"S3 server access logging turned off for bucket [{_bucket(event)}] by "
        f"[{actor_name(event)}] in account [{account_id(event)}]"
    )


def dedup(event):
    return f"{account_id(event)}:{_bucket(event)}"


def alert_context(event):
    return aws_context(event, bucket=_bucket(event))
