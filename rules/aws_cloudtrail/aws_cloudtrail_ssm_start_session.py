from panther_detection_helpers.caching import get_string_set

from iota_aws_helpers import (
    add_new_to_set,
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_automation,
    is_failed,
    principal_key,
    request,
)

SESSION_EVENTS = {"StartSession"}
SSM_SOURCE = "ssm.amazonaws.com"
MANY_TARGETS = 3
WINDOW_SECONDS = 900


def rule(event):
    if event.get("eventName") not in SESSION_EVENTS:
        return False
    if event.get("eventSource") != SSM_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    add_new_to_set(_key(event), _target(event), epoch_seconds=WINDOW_SECONDS)
    return True


def _key(event):
    return f"ssm-sessions:{principal_key(event)}"


def _target(event):
    return str(request(event, "target", default="<unknown target>"))


def title(event):
    return (
        f"[{actor_name(event)}] opened an SSM shell session on [{_target(event)}] in "
        f"account [{account_id(event)}]"
    )


def severity(event):
    if is_automation(event):
        return "INFO"
    # Hopping onto several instances in a short time is lateral movement, not support.
    return "MEDIUM" if len(get_string_set(_key(event))) >= MANY_TARGETS else "DEFAULT"


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(
        event,
        target=_target(event),
        document=request(event, "documentName"),
        session_id=event.deep_get("responseElements", "sessionId"),
    )
