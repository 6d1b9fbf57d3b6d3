from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    as_list,
    aws_context,
    is_aws_internal,
    is_failed,
    request,
)

FLOW_LOG_EVENTS = {"DeleteFlowLogs"}
EC2_SOURCE = "ec2.amazonaws.com"


def rule(event):
    if event.get("eventName") not in FLOW_LOG_EVENTS:
        return False
    if event.get("eventSource") != EC2_SOURCE or is_failed(event):
        return False
    # CloudFormation and other services delete the flow logs of stacks they tear down.
    return not is_aws_internal(event)


def _flow_logs(event):
    ids = as_list(request(event, "DeleteFlowLogsRequest", "FlowLogId"))
    ids += as_list(request(event, "flowLogIds"))
    return [str(value.get("content") if hasattr(value, "get") else value) for value in ids]


def title(event):
    logs = ", ".join(_flow_logs(event)) or "<unknown>"
    return (
        f"VPC flow logs [{logs}] deleted by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(event, flow_logs=_flow_logs(event))
