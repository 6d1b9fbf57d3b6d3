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

PARAMETER_READ_EVENTS = {"GetParameter", "GetParameters", "GetParametersByPath"}
SSM_SOURCE = "ssm.amazonaws.com"
DISTINCT_PARAMETERS = 10
WINDOW_SECONDS = 600


def rule(event):
    if event.get("eventName") not in PARAMETER_READ_EVENTS:
        return False
    if event.get("eventSource") != SSM_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    # Only decrypted reads expose SecureString values.
    if request(event, "withDecryption") is not True:
        return False
    names = _names(event)
    if not names:
        return False
    seen = add_new_to_set(
        f"ssm-decrypt:{principal_key(event)}", names, epoch_seconds=WINDOW_SECONDS
    )
    return len(seen) >= DISTINCT_PARAMETERS


def _names(event):
    if event.get("eventName") == "GetParametersByPath":
        path = request(event, "path")
        return [f"path:{path}"] if path else []
    names = as_list(request(event, "names")) + as_list(request(event, "name"))
    return [str(name) for name in names]


def title(event):
    return (
        f"[{actor_name(event)}] decrypted many SSM parameters in a short time "
        f"in account [{event.get('recipientAccountId', '<unknown>')}]"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(event, principal=principal_key(event), parameters_in_this_call=_names(event))
