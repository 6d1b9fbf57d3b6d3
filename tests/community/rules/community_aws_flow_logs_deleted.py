from community_aws_helpers import actor_arn, aws_rule_context


def rule(event):
    return event.get("eventName") == "DeleteFlowLogs" and not event.get("errorCode")


def title(event):
    ids = event.deep_walk(
        "requestParameters", "DeleteFlowLogsRequest", "FlowLogId", "content", default=[]
    )
    ids = ids if isinstance(ids, list) else [ids]
    return f"VPC flow logs {', '.join(ids) or '<UNKNOWN>'} deleted by [{actor_arn(event)}]"


def alert_context(event):
    return aws_rule_context(event)
