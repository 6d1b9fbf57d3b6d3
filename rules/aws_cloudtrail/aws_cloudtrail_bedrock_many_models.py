from iota_aws_helpers import (
    add_new_to_set,
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    principal_key,
    request,
)

INVOKE_EVENTS = {"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"}
BEDROCK_SOURCE = "bedrock.amazonaws.com"
DISTINCT_MODELS = 3
WINDOW_SECONDS = 3600


def rule(event):
    if event.get("eventName") not in INVOKE_EVENTS:
        return False
    if event.get("eventSource") != BEDROCK_SOURCE or is_aws_internal(event):
        return False
    model = request(event, "modelId")
    if not model:
        return False
    # Denied invocations count: attackers probe which models the key can reach.
    seen = add_new_to_set(
        f"bedrock-models:{principal_key(event)}", str(model), epoch_seconds=WINDOW_SECONDS
    )
    return len(seen) >= DISTINCT_MODELS


def title(event):
    return (
        f"[{actor_name(event)}] invoked many different Bedrock models within an hour "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(
        event,
        principal=principal_key(event),
        model=request(event, "modelId"),
        error_code=event.get("errorCode"),
    )
