from panther_detection_helpers.caching import increment_counter

from iota_aws_helpers import (
    account_id,
    account_of,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    principal_key,
    request,
    text,
)

# In-place re-encryption copies each object onto itself. PutObject, the busiest data
# event, is left out so that uploads never reach the rule engine.
WRITE_EVENTS = {"CopyObject", "CreateMultipartUpload"}
S3_SOURCE = "s3.amazonaws.com"
CUSTOMER_KEY_HEADER = "x-amz-server-side-encryption-customer-algorithm"
KMS_KEY_HEADER = "x-amz-server-side-encryption-aws-kms-key-id"
OBJECTS_THRESHOLD = 20
WINDOW_SECONDS = 600


def rule(event):
    if event.get("eventName") not in WRITE_EVENTS:
        return False
    if event.get("eventSource") != S3_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    if _foreign_kms_key(event):
        return True
    if not request(event, CUSTOMER_KEY_HEADER):
        return False
    # SSE-C: only the holder of the key can read the object back.
    written = increment_counter(
        f"s3-ssec:{principal_key(event)}:{_bucket(event)}", 1, epoch_seconds=WINDOW_SECONDS
    )
    return written >= OBJECTS_THRESHOLD


def _bucket(event):
    return str(request(event, "bucketName", default="<unknown bucket>"))


def _foreign_kms_key(event):
    """The KMS key ARN when it belongs to another account, else None."""
    key = text(request(event, KMS_KEY_HEADER))
    owner = account_of(key) if key else None
    return key if owner and owner != account_id(event) else None


def title(event):
    how = (
        "with a KMS key of another account"
        if _foreign_kms_key(event)
        else "with customer-provided keys (SSE-C)"
    )
    return f"Objects in bucket [{_bucket(event)}] re-encrypted {how} by [{actor_name(event)}]"


def dedup(event):
    return f"{principal_key(event)}:{_bucket(event)}"


def alert_context(event):
    return aws_context(
        event,
        bucket=_bucket(event),
        key=request(event, "key"),
        copy_source=request(event, "x-amz-copy-source"),
        foreign_kms_key=_foreign_kms_key(event),
    )
