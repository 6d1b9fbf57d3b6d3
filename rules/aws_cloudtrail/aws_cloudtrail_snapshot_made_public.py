from iota_aws_helpers import (
    SNAPSHOT_ATTRIBUTE_CALLS,
    account_id,
    actor_name,
    as_list,
    aws_context,
    dig,
    is_failed,
    text,
)

SNAPSHOT_SHARE_EVENTS = {
    "ModifySnapshotAttribute",
    "ModifyImageAttribute",
    "ModifyDBSnapshotAttribute",
    "ModifyDBClusterSnapshotAttribute",
}
PUBLIC_GROUP = "all"


def rule(event):
    if event.get("eventName") not in SNAPSHOT_SHARE_EVENTS:
        return False
    if is_failed(event):
        return False
    return _made_public(event)


def _made_public(event):
    _, _, permission_key = SNAPSHOT_ATTRIBUTE_CALLS.get(
        str(event.get("eventName")), (None, None, None)
    )
    if permission_key:
        # EC2: {"createVolumePermission": {"add": {"items": [{"group": "all"}]}}}
        added = as_list(event.deep_get("requestParameters", permission_key, "add", "items"))
        return any(dig(item, "group") == PUBLIC_GROUP for item in added)
    # RDS: attributeName "restore" with "all" among valuesToAdd.
    return event.deep_get("requestParameters", "attributeName") == "restore" and PUBLIC_GROUP in [
        str(value) for value in as_list(event.deep_get("requestParameters", "valuesToAdd"))
    ]


def _resource(event):
    kind, id_key, _ = SNAPSHOT_ATTRIBUTE_CALLS.get(
        str(event.get("eventName")), ("resource", None, None)
    )
    resource_id = text(event.deep_get("requestParameters", id_key)) if id_key else None
    return kind, resource_id or "<unknown>"


def title(event):
    kind, resource_id = _resource(event)
    return (
        f"{kind} [{resource_id}] made public by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    _, resource_id = _resource(event)
    return f"{account_id(event)}:{resource_id}"


def alert_context(event):
    kind, resource_id = _resource(event)
    return aws_context(event, resource_type=kind, resource_id=resource_id)
