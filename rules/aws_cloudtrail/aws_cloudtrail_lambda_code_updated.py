from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_automation,
    is_failed,
    request,
)

CODE_EVENTS = {"UpdateFunctionCode20150331v2", "UpdateFunctionCode20150331"}
LAMBDA_SOURCE = "lambda.amazonaws.com"


def rule(event):
    if event.get("eventName") not in CODE_EVENTS:
        return False
    if event.get("eventSource") != LAMBDA_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    # Deployments by the pipeline are the normal way code changes.
    return not is_automation(event)


def _function(event):
    return str(request(event, "functionName", default="<unknown function>"))


def title(event):
    return (
        f"Code of Lambda function [{_function(event)}] replaced by [{actor_name(event)}] "
        f"outside the deployment pipeline"
    )


def dedup(event):
    return f"{account_id(event)}:{_function(event)}"


def alert_context(event):
    return aws_context(
        event,
        function=_function(event),
        code_sha256=event.deep_get("responseElements", "codeSha256"),
        s3_bucket=request(event, "s3Bucket"),
    )
