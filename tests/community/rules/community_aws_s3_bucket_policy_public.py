from community_aws_helpers import actor_arn, aws_rule_context
from community_base_helpers import as_list


def _public_statements(event):
    statements = event.deep_get("requestParameters", "bucketPolicy", "Statement", default=[])
    public = []
    for statement in as_list(statements):
        principal = statement.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, dict) else principal
        if (
            statement.get("Effect") == "Allow"
            and "*" in as_list(aws)
            and not statement.get("Condition")
        ):
            public.append(statement.get("Sid") or "<no Sid>")
    return public


def rule(event):
    if event.get("eventName") != "PutBucketPolicy" or event.get("errorCode"):
        return False
    return bool(_public_statements(event))


def title(event):
    bucket = event.deep_get("requestParameters", "bucketName", default="<UNKNOWN>")
    return f"S3 bucket [{bucket}] policy allows anyone, set by [{actor_arn(event)}]"


def alert_context(event):
    context = aws_rule_context(event)
    context["publicStatements"] = _public_statements(event)
    return context
