from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, text

IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") != "CreateAccessKey":
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    target = _target_user(event)
    # Without userName the key is for the caller itself.
    return target is not None and target != event.deep_get("userIdentity", "userName")


def _target_user(event):
    return text(event.deep_get("requestParameters", "userName"))


def title(event):
    return (
        f"[{actor_name(event)}] created an access key for IAM user [{_target_user(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    # Keys minted for several users by one actor belong to one incident.
    return actor_arn(event)


def alert_context(event):
    return aws_context(
        event,
        target_user=_target_user(event),
        new_access_key_id=event.deep_get("responseElements", "accessKey", "accessKeyId"),
    )
