from community_aws_helpers import actor_arn, aws_rule_context
from panther_detection_helpers.caching import check_account_age

IAM_CHANGES = {
    "CreateUser",
    "CreateAccessKey",
    "CreateLoginProfile",
    "AttachUserPolicy",
    "PutUserPolicy",
}


def rule(event):
    if event.get("eventSource") != "iam.amazonaws.com" or event.get("eventName") not in IAM_CHANGES:
        return False
    if event.get("errorCode"):
        return False
    return check_account_age(f"new-account:{event.get('recipientAccountId')}")


def title(event):
    return (
        f"{event.get('eventName')} by [{actor_arn(event)}] in new account "
        f"[{event.get('recipientAccountId')}]"
    )


def dedup(event):
    return f"{event.get('recipientAccountId')}:{actor_arn(event)}"


def alert_context(event):
    return aws_rule_context(event)
