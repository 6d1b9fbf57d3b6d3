from community_aws_helpers import actor_arn, aws_rule_context


def rule(event):
    if event.get("eventSource") != "lambda.amazonaws.com" or event.get("errorCode"):
        return False
    # The API version is part of the recorded event name (AddPermission20150331v2).
    if not event.get("eventName", "").startswith("AddPermission"):
        return False
    params = event.get("requestParameters") or {}
    return (
        params.get("principal") == "*"
        and not params.get("sourceArn")
        and not params.get("sourceAccount")
    )


def title(event):
    function = event.deep_get("requestParameters", "functionName", default="<UNKNOWN>").split(":")[
        -1
    ]
    return f"Lambda function [{function}] can be invoked by anyone, set by [{actor_arn(event)}]"


def alert_context(event):
    return aws_rule_context(event)
