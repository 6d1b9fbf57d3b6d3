from community_aws_helpers import actor_arn, aws_rule_context

SETTINGS = ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets")


def _disabled_settings(event):
    # CloudTrail records these keys in PascalCase; the lookup falls back to a
    # case-insensitive match so the camelCase names used here still find them.
    config = event.deep_get("requestParameters", "publicAccessBlockConfiguration") or {}
    return [name for name in SETTINGS if config.get(name) is False]


def rule(event):
    if event.get("errorCode"):
        return False
    if event.get("eventName") in (
        "DeleteBucketPublicAccessBlock",
        "DeleteAccountPublicAccessBlock",
    ):
        return True
    return event.get("eventName") in (
        "PutBucketPublicAccessBlock",
        "PutAccountPublicAccessBlock",
    ) and bool(_disabled_settings(event))


def title(event):
    target = (
        event.deep_get("requestParameters", "bucketName")
        or f"account {event.get('recipientAccountId')}"
    )
    return f"S3 Block Public Access weakened on [{target}] by [{actor_arn(event)}]"


def severity(event):
    if "Account" in event.get("eventName", ""):
        return "High"
    return "DEFAULT"


def alert_context(event):
    context = aws_rule_context(event)
    context["disabledSettings"] = _disabled_settings(event)
    return context
