from community_aws_helpers import actor_arn, aws_rule_context, is_service_principal

# Log groups whose loss hides security-relevant history.
PROTECTED_PREFIXES = ("/aws/cloudtrail", "/aws/vpc/flowlogs", "/security/", "aws-waf-logs-")


def rule(event):
    if event.get("eventName") != "DeleteLogGroup" or event.get("errorCode"):
        return False
    return not is_service_principal(event)


def title(event):
    group = event.deep_get("requestParameters", "logGroupName", default="<UNKNOWN>")
    return f"CloudWatch log group [{group}] deleted by [{actor_arn(event)}]"


def severity(event):
    group = event.deep_get("requestParameters", "logGroupName", default="")
    return "high" if group.startswith(PROTECTED_PREFIXES) else "DEFAULT"


def alert_context(event):
    return aws_rule_context(event)
