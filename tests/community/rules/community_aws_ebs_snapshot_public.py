from community_aws_helpers import actor_arn, aws_rule_context


def rule(event):
    if event.get("eventName") != "ModifySnapshotAttribute" or event.get("errorCode"):
        return False
    groups = event.deep_walk(
        "requestParameters", "createVolumePermission", "add", "items", "group", default=[]
    )
    return "all" in (groups if isinstance(groups, list) else [groups])


def title(event):
    snapshot = event.deep_get("requestParameters", "snapshotId", default="<UNKNOWN>")
    return f"EBS snapshot [{snapshot}] made public by [{actor_arn(event)}]"


def alert_context(event):
    return aws_rule_context(event)
