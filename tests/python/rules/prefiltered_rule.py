"""Only S3 bucket deletions can match."""

DELETES = ("DeleteBucket", "DeleteBucketPolicy")


def rule(event):
    if event.get("eventSource") != "s3.amazonaws.com":
        return False
    return event.get("eventName") in DELETES and not event.get("errorCode")
