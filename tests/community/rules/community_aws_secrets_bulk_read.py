from community_aws_helpers import actor_arn, aws_rule_context, is_service_principal


def rule(event):
    return (
        event.get("eventSource") == "secretsmanager.amazonaws.com"
        and event.get("eventName") in ("GetSecretValue", "BatchGetSecretValue")
        and not event.get("errorCode")
        and not is_service_principal(event)
    )


def title(event):
    return f"[{actor_arn(event)}] read many secrets in [{event.get('awsRegion')}]"


def dedup(event):
    return f"{actor_arn(event)}:{event.get('awsRegion')}"


def alert_context(event):
    context = aws_rule_context(event)
    context["secretId"] = event.deep_get("requestParameters", "secretId")
    return context
