from iota_aws_helpers import account_id, actor_name, aws_context, dig, is_failed, is_mapping, text

PUBLIC_ACCESS_BLOCK_EVENTS = {
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutAccountPublicAccessBlock",
    "DeleteAccountPublicAccessBlock",
}
BLOCK_SETTINGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def rule(event):
    if event.get("eventName") not in PUBLIC_ACCESS_BLOCK_EVENTS:
        return False
    if is_failed(event):
        return False
    return bool(_disabled_settings(event))


def _disabled_settings(event):
    """The Block Public Access settings the call turned off (all four for a delete)."""
    if str(event.get("eventName")).startswith("Delete"):
        return list(BLOCK_SETTINGS)
    config = event.deep_get("requestParameters", "PublicAccessBlockConfiguration")
    if not is_mapping(config):
        return []
    # A setting left out of the configuration is set to false.
    return [name for name in BLOCK_SETTINGS if dig(config, name) not in (True, "true")]


def _bucket(event):
    # None for the account-level settings.
    return text(event.deep_get("requestParameters", "bucketName"))


def title(event):
    bucket = _bucket(event)
    scope = f"bucket [{bucket}]" if bucket else f"account [{account_id(event)}]"
    return f"S3 Block Public Access turned off for {scope} by [{actor_name(event)}]"


def dedup(event):
    return f"{account_id(event)}:{_bucket(event) or 'account'}"


def severity(event):
    # Account-level settings protect every bucket at once.
    return "DEFAULT" if _bucket(event) else "HIGH"


def alert_context(event):
    return aws_context(event, bucket=_bucket(event), disabled_settings=_disabled_settings(event))
