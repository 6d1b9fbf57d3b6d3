from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    request,
)

DESTRUCTIVE_EVENTS = {
    "DeleteRecoveryPoint",
    "DeleteBackupVault",
    "DeleteBackupPlan",
    "DeleteDBInstance",
    "DeleteDBCluster",
    "DeleteSecret",
    "DeleteDBSnapshot",
    "DeleteDBClusterSnapshot",
}


def rule(event):
    if event.get("eventName") not in DESTRUCTIVE_EVENTS:
        return False
    if is_failed(event) or is_aws_internal(event):
        return False
    name = event.get("eventName")
    if name in ("DeleteDBInstance", "DeleteDBCluster"):
        # Deletions that keep a final snapshot are recoverable.
        return request(event, "skipFinalSnapshot") is True
    if name == "DeleteSecret":
        return request(event, "forceDeleteWithoutRecovery") is True
    return True


def _target(event):
    for key in (
        "recoveryPointArn",
        "backupVaultName",
        "backupPlanId",
        "dBInstanceIdentifier",
        "dBClusterIdentifier",
        "secretId",
        "dBSnapshotIdentifier",
        "dBClusterSnapshotIdentifier",
    ):
        value = request(event, key)
        if value:
            return str(value)
    return "<unknown>"


def title(event):
    return (
        f"Unrecoverable deletion: {event.get('eventName')} [{_target(event)}] by "
        f"[{actor_name(event)}] in account [{account_id(event)}]"
    )


def dedup(event):
    # A wave of deletions by one actor is one incident.
    return actor_arn(event)


def alert_context(event):
    return aws_context(event, target=_target(event), vault=request(event, "backupVaultName"))
