from iota_aws_helpers import (
    account_id,
    account_of,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    request,
    text,
)

EXPOSE_EVENTS = {
    "AddPermission20150331v2",
    "AddPermission20150331",
    "CreateFunctionUrlConfig20211031",
    "UpdateFunctionUrlConfig20211031",
}
LAMBDA_SOURCE = "lambda.amazonaws.com"
NO_AUTH = "NONE"


def rule(event):
    if event.get("eventName") not in EXPOSE_EVENTS:
        return False
    if event.get("eventSource") != LAMBDA_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    return bool(_exposure(event))


def _exposure(event):
    if "FunctionUrlConfig" in event.get("eventName"):
        return (
            "function URL without authentication" if request(event, "authType") == NO_AUTH else None
        )
    principal = text(request(event, "principal")) or ""
    if principal == "*":
        # A service principal scoped by source account or ARN is not public.
        if (
            request(event, "sourceAccount")
            or request(event, "sourceArn")
            or request(event, "principalOrgID")
        ):
            return None
        return "invocation allowed for anyone"
    other = account_of(principal)
    if other and other != account_id(event):
        return f"invocation allowed for account {other}"
    return None


def _function(event):
    return str(request(event, "functionName", default="<unknown function>"))


def title(event):
    return f"Lambda function [{_function(event)}]: {_exposure(event)} (by [{actor_name(event)}])"


def severity(event):
    return "DEFAULT" if "account" in str(_exposure(event)) else "HIGH"


def dedup(event):
    return f"{account_id(event)}:{_function(event)}"


def alert_context(event):
    return aws_context(
        event,
        function=_function(event),
        exposure=_exposure(event),
        principal=request(event, "principal"),
        action=request(event, "action"),
    )
