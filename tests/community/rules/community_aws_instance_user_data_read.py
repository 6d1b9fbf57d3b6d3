from community_aws_helpers import actor_arn, aws_rule_context


def rule(event):
    return (
        event.get("eventName") == "DescribeInstanceAttribute"
        and event.deep_get("requestParameters", "attribute") == "userData"
        and not event.get("errorCode")
    )


def title(event):
    return f"[{actor_arn(event)}] read the user data of many instances"


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    context = aws_rule_context(event)
    context["instanceId"] = event.deep_get("requestParameters", "instanceId")
    return context
