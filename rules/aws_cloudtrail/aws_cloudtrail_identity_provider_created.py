from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    automation_severity,
    aws_context,
    is_failed,
    request,
)

PROVIDER_EVENTS = {
    "CreateSAMLProvider",
    "UpdateSAMLProvider",
    "CreateOpenIDConnectProvider",
    "AddClientIDToOpenIDConnectProvider",
    "UpdateOpenIDConnectProviderThumbprint",
}
IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") not in PROVIDER_EVENTS:
        return False
    return event.get("eventSource") == IAM_SOURCE and not is_failed(event)


def _provider(event):
    return str(
        request(event, "name")
        or request(event, "url")
        or request(event, "sAMLProviderArn")
        or request(event, "openIDConnectProviderArn")
        or "<unknown provider>"
    )


def title(event):
    return (
        f"IAM identity provider [{_provider(event)}] {event.get('eventName')} by "
        f"[{actor_name(event)}] in account [{account_id(event)}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return f"{account_id(event)}:{_provider(event)}"


def alert_context(event):
    return aws_context(
        event,
        provider=_provider(event),
        client_ids=request(event, "clientIDList") or request(event, "clientID"),
        caller=actor_arn(event),
    )
