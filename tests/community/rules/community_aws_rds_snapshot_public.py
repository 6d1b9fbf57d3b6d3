from community_aws_helpers import actor_arn, aws_rule_context


def rule(event):
    if event.get("eventName") not in (
        "ModifyDBSnapshotAttribute",
        "ModifyDBClusterSnapshotAttribute",
    ):
        return False
    if event.get("errorCode") or event.deep_get("requestParameters", "attributeName") != "restore":
        return False
    return "all" in (event.deep_get("requestParameters", "valuesToAdd") or [])


def title(event):
    params = event.get("requestParameters") or {}
    snapshot = params.get("dBSnapshotIdentifier") or params.get("dBClusterSnapshotIdentifier")
    return f"RDS snapshot [{snapshot}] made public by [{actor_arn(event)}]"


def alert_context(event):
    return aws_rule_context(event)
