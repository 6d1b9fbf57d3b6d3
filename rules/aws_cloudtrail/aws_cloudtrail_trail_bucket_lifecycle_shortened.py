from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    as_list,
    aws_context,
    dig,
    is_aws_internal,
    is_failed,
    request,
)

LIFECYCLE_EVENTS = {"PutBucketLifecycle", "PutBucketLifecycleConfiguration"}
S3_SOURCE = "s3.amazonaws.com"
# Buckets whose names say they keep audit logs.
LOG_BUCKET_HINTS = ("cloudtrail", "trail", "audit", "log")
MAX_SAFE_DAYS = 30


def rule(event):
    if event.get("eventName") not in LIFECYCLE_EVENTS:
        return False
    if event.get("eventSource") != S3_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    name = _bucket(event).lower()
    return any(hint in name for hint in LOG_BUCKET_HINTS) and _shortest_expiry(event) is not None


def _bucket(event):
    return str(request(event, "bucketName", default=""))


def _shortest_expiry(event):
    """The shortest enabled expiration (days) under MAX_SAFE_DAYS, else None."""
    shortest = None
    for lifecycle_rule in as_list(request(event, "LifecycleConfiguration", "Rule")):
        if dig(lifecycle_rule, "Status") != "Enabled":
            continue
        for key in ("Expiration", "NoncurrentVersionExpiration"):
            days = dig(
                lifecycle_rule, key, "Days", default=dig(lifecycle_rule, key, "NoncurrentDays")
            )
            try:
                days = int(days)
            except (TypeError, ValueError):
                continue
            if days <= MAX_SAFE_DAYS and (shortest is None or days < shortest):
                shortest = days
    return shortest


def title(event):
    return (
        f"Log bucket [{_bucket(event)}] set to delete objects after "
        f"{_shortest_expiry(event)} day(s) by [{actor_name(event)}]"
    )


def severity(event):
    return "HIGH" if (_shortest_expiry(event) or 0) <= 7 else "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_bucket(event)}"


def alert_context(event):
    return aws_context(
        event,
        bucket=_bucket(event),
        expiry_days=_shortest_expiry(event),
        lifecycle=request(event, "LifecycleConfiguration"),
    )
