from iota_aws_helpers import (
    actor_name,
    add_new_to_set,
    as_list,
    automation_severity,
    aws_context,
    is_aws_internal,
    is_failed,
    principal_key,
    request,
)

SECRET_READ_EVENTS = {"GetSecretValue", "BatchGetSecretValue"}
SECRETS_SOURCE = "secretsmanager.amazonaws.com"
DISTINCT_SECRETS = 5
WINDOW_SECONDS = 600
# Marker for a batch read selected by filters: the secrets it returned are not listed.
FILTERED_BATCH = "<filtered batch>"


def rule(event):
    if event.get("eventName") not in SECRET_READ_EVENTS:
        return False
    if event.get("eventSource") != SECRETS_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    secrets = _secrets(event)
    if not secrets:
        return False
    seen = add_new_to_set(_key(event), secrets, epoch_seconds=WINDOW_SECONDS)
    return FILTERED_BATCH in seen or len(seen) >= DISTINCT_SECRETS


def _key(event):
    return f"secrets-read:{principal_key(event)}"


def _secrets(event):
    if event.get("eventName") == "GetSecretValue":
        secret = request(event, "secretId")
        return [str(secret)] if secret else []
    listed = [str(secret) for secret in as_list(request(event, "secretIdList"))]
    return listed or [FILTERED_BATCH]


def title(event):
    return (
        f"[{actor_name(event)}] read many Secrets Manager secrets in a short time "
        f"in account [{event.get('recipientAccountId', '<unknown>')}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(
        event,
        principal=principal_key(event),
        secrets_in_this_call=_secrets(event),
        batch_filters=request(event, "filters"),
    )
