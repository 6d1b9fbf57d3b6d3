from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed

EBS_ENCRYPTION_EVENTS = {"DisableEbsEncryptionByDefault"}
EC2_SOURCE = "ec2.amazonaws.com"


def rule(event):
    if event.get("eventName") not in EBS_ENCRYPTION_EVENTS:
        return False
    return event.get("eventSource") == EC2_SOURCE and not is_failed(event)


def title(event):
    return (
        f"EBS encryption by default disabled in [{account_id(event)}] region "
        f"[{event.get('awsRegion', '<unknown>')}] by [{actor_name(event)}]"
    )


def dedup(event):
    return f"{account_id(event)}:{event.get('awsRegion')}"


def alert_context(event):
    return aws_context(event)
