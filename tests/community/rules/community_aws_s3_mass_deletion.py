from community_aws_helpers import actor_arn, aws_rule_context
from panther_detection_helpers.caching import evaluate_threshold

DELETIONS = {"DeleteBucket", "DeleteObjects", "DeleteBucketPolicy", "PutBucketLifecycle"}
LIMIT = 5
WINDOW_SECONDS = 10 * 60


def rule(event):
    if event.get("eventSource") != "s3.amazonaws.com" or event.get("eventName") not in DELETIONS:
        return False
    if event.get("errorCode"):
        return False
    return evaluate_threshold(f"s3-deletions:{actor_arn(event)}", LIMIT, WINDOW_SECONDS)


def title(event):
    return f"[{actor_arn(event)}] made {LIMIT} or more S3 deletion calls in ten minutes"


def dedup(event):
    return actor_arn(event)


def reference(event):
    if event.get("eventName") == "PutBucketLifecycle":
        return "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html"
    return "https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjects.html"


def alert_context(event):
    context = aws_rule_context(event)
    context["bucketName"] = event.deep_get("requestParameters", "bucketName")
    return context
