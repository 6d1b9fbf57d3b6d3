from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    aws_context,
    is_automation,
    is_failed,
    load_policy,
    request,
)

FEDERATION_EVENTS = {"GetFederationToken"}
STS_SOURCE = "sts.amazonaws.com"


def rule(event):
    if event.get("eventName") not in FEDERATION_EVENTS:
        return False
    return event.get("eventSource") == STS_SOURCE and not is_failed(event)


def _session(event):
    return str(request(event, "name", default="<unnamed>"))


def title(event):
    return (
        f"Federation token [{_session(event)}] issued to [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def severity(event):
    if is_automation(event):
        return "INFO"
    # Without a session policy the token carries all of the user's permissions.
    return "HIGH" if load_policy(request(event, "policy")) is None else "DEFAULT"


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(
        event,
        federated_name=_session(event),
        duration_seconds=request(event, "durationSeconds"),
        session_policy=request(event, "policy"),
        policy_arns=request(event, "policyArns"),
    )
