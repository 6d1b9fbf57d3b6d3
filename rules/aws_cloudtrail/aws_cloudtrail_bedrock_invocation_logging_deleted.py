from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed

LOGGING_EVENTS = {"DeleteModelInvocationLoggingConfiguration"}
BEDROCK_SOURCE = "bedrock.amazonaws.com"


def rule(event):
    if event.get("eventName") not in LOGGING_EVENTS:
        return False
    return event.get("eventSource") == BEDROCK_SOURCE and not is_failed(event)


def title(event):
    return (
        f"Bedrock model invocation logging deleted in [{account_id(event)}] region "
        f"[{event.get('awsRegion', '<unknown>')}] by [{actor_name(event)}]"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(event)
