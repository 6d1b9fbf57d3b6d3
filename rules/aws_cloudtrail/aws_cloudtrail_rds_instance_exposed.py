from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_automation,
    is_failed,
    request,
)

RDS_MODIFY_EVENTS = {"ModifyDBInstance", "ModifyDBCluster"}
RDS_SOURCE = "rds.amazonaws.com"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


def rule(event):
    if event.get("eventName") not in RDS_MODIFY_EVENTS:
        return False
    if event.get("eventSource") != RDS_SOURCE or is_failed(event) or is_aws_internal(event):
        return False
    return bool(_changes(event))


def _changes(event):
    changes = []
    if request(event, "publiclyAccessible") is True:
        changes.append("made publicly accessible")
    if request(event, "masterUserPassword") is not None:
        changes.append("master password reset")
    return changes


def _database(event):
    return str(
        request(event, "dBInstanceIdentifier")
        or request(event, "dBClusterIdentifier")
        or "<unknown database>"
    )


def title(event):
    return (
        f"RDS database [{_database(event)}] {' and '.join(_changes(event))} by "
        f"[{actor_name(event)}]"
    )


def severity(event):
    if is_automation(event):
        return "INFO"
    return "HIGH" if len(_changes(event)) > 1 else "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_database(event)}"


def alert_context(event):
    return aws_context(
        event,
        database=_database(event),
        changes=_changes(event),
        apply_immediately=request(event, "applyImmediately"),
    )
