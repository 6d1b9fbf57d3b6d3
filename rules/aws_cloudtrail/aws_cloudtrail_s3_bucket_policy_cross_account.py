from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    outside_principals,
    request,
)

BUCKET_POLICY_EVENTS = {"PutBucketPolicy"}
S3_SOURCE = "s3.amazonaws.com"


def rule(event):
    if event.get("eventName") not in BUCKET_POLICY_EVENTS:
        return False
    if event.get("eventSource") != S3_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    return bool(_accounts(event))


def _accounts(event):
    # "*" (public) belongs to S3BucketMadePublic; here only named outside accounts.
    found = outside_principals(request(event, "bucketPolicy"), account_id(event))
    return [principal for principal in found if principal != "*"]


def _bucket(event):
    return str(request(event, "bucketName", default="<unknown bucket>"))


def title(event):
    return (
        f"Bucket policy of [{_bucket(event)}] grants access to {', '.join(_accounts(event))} "
        f"(by [{actor_name(event)}])"
    )


def dedup(event):
    return f"{account_id(event)}:{_bucket(event)}"


def alert_context(event):
    return aws_context(event, bucket=_bucket(event), outside_principals=_accounts(event))
