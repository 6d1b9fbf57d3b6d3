import time

from panther_detection_helpers.caching import add_to_string_set, get_string_set

from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    principal_key,
    request,
)

INVOKE_EVENTS = {"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"}
BEDROCK_SOURCE = "bedrock.amazonaws.com"
# A principal that has not invoked a model for 30 days counts as new again.
MEMORY_SECONDS = 30 * 24 * 3600


def rule(event):
    if event.get("eventName") not in INVOKE_EVENTS:
        return False
    if event.get("eventSource") != BEDROCK_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    key = f"bedrock-users:{account_id(event)}"
    principal = principal_key(event)
    if principal in get_string_set(key):
        return False
    add_to_string_set(key, principal, epoch_seconds=_expiry(event))
    return True


def _expiry(_event):
    # Over one week, so given as an absolute epoch time. Counted from processing time,
    # so replaying old logs does not expire the memory at once.
    return int(time.time()) + MEMORY_SECONDS


def _model(event):
    return str(request(event, "modelId", default="<unknown model>"))


def title(event):
    return (
        f"First Bedrock model invocation by [{actor_name(event)}] in account "
        f"[{account_id(event)}] (model [{_model(event)}])"
    )


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(event, principal=principal_key(event), model=_model(event))
