from iota_aws_helpers import (
    account_id,
    account_of,
    actor_name,
    as_list,
    aws_context,
    is_aws_internal,
    is_automation,
    is_failed,
    request,
)

LAYER_EVENTS = {"UpdateFunctionConfiguration20150331v2", "UpdateFunctionConfiguration20150331"}
LAMBDA_SOURCE = "lambda.amazonaws.com"


def rule(event):
    if event.get("eventName") not in LAYER_EVENTS:
        return False
    if event.get("eventSource") != LAMBDA_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    # Only calls that set layers; other configuration changes are not this technique.
    if not _layers(event):
        return False
    # Pipelines publishing the account's own layers are the normal way layers change.
    return bool(_foreign_layers(event)) or not is_automation(event)


def _layers(event):
    return [str(layer) for layer in as_list(request(event, "layers"))]


def _foreign_layers(event):
    own = account_id(event)
    return [layer for layer in _layers(event) if account_of(layer) not in (None, own)]


def _function(event):
    return str(request(event, "functionName", default="<unknown function>"))


def title(event):
    return (
        f"Layers of Lambda function [{_function(event)}] changed by [{actor_name(event)}]: "
        f"{', '.join(_layers(event))}"
    )


def severity(event):
    return "HIGH" if _foreign_layers(event) and not is_automation(event) else "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_function(event)}"


def alert_context(event):
    return aws_context(
        event,
        function=_function(event),
        layers=_layers(event),
        layers_from_other_accounts=_foreign_layers(event),
    )
