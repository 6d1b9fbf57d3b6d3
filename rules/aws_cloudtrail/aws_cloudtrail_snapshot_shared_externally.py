from iota_aws_helpers import (
    SNAPSHOT_ATTRIBUTE_CALLS,
    account_id,
    actor_name,
    as_list,
    aws_context,
    dig,
    is_failed,
    request,
    text,
)

SHARE_EVENTS = {
    "ModifySnapshotAttribute",
    "ModifyImageAttribute",
    "ModifyDBSnapshotAttribute",
    "ModifyDBClusterSnapshotAttribute",
}


def rule(event):
    if event.get("eventName") not in SHARE_EVENTS:
        return False
    if is_failed(event):
        return False
    return bool(_accounts(event))


def _accounts(event):
    """Other accounts the call grants access to (public sharing has its own rule)."""
    _, _, permission = SNAPSHOT_ATTRIBUTE_CALLS.get(event.get("eventName"), (None, None, None))
    if permission:
        added = as_list(request(event, permission, "add", "items"))
        values = [dig(item, "userId") for item in added]
    elif request(event, "attributeName") == "restore":
        values = as_list(request(event, "valuesToAdd"))
    else:
        values = []
    own = account_id(event)
    accounts = {str(value) for value in values if value is not None and text(str(value))}
    return sorted(accounts - {"all", own})


def _resource(event):
    kind, key, _ = SNAPSHOT_ATTRIBUTE_CALLS.get(event.get("eventName"), ("resource", None, None))
    return kind, str(request(event, key, default="<unknown>")) if key else "<unknown>"


def title(event):
    kind, resource = _resource(event)
    return (
        f"{kind} [{resource}] shared with account(s) {', '.join(_accounts(event))} "
        f"by [{actor_name(event)}]"
    )


def dedup(event):
    return f"{account_id(event)}:{_resource(event)[1]}"


def alert_context(event):
    kind, resource = _resource(event)
    return aws_context(event, resource_type=kind, resource=resource, shared_with=_accounts(event))
