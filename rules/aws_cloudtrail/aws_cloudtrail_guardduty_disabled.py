from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed

GUARDDUTY_EVENTS = {
    "DeleteDetector",
    "UpdateDetector",
    "DisassociateFromMasterAccount",
    "DisassociateFromAdministratorAccount",
    "StopMonitoringMembers",
}
GUARDDUTY_SOURCE = "guardduty.amazonaws.com"
ACTIONS = {
    "DeleteDetector": "detector deleted",
    "UpdateDetector": "detector suspended",
    "DisassociateFromMasterAccount": "account detached from its administrator",
    "DisassociateFromAdministratorAccount": "account detached from its administrator",
    "StopMonitoringMembers": "member accounts no longer monitored",
}


def rule(event):
    if event.get("eventName") not in GUARDDUTY_EVENTS:
        return False
    if event.get("eventSource") != GUARDDUTY_SOURCE or is_failed(event):
        return False
    if event.get("eventName") == "UpdateDetector":
        # Other detector settings change routinely; only suspension matters here.
        return event.deep_get("requestParameters", "enable") is False
    return True


def title(event):
    action = ACTIONS.get(str(event.get("eventName")), "changed")
    return (
        f"GuardDuty {action} in account [{account_id(event)}] region "
        f"[{event.get('awsRegion', '<unknown>')}] by [{actor_name(event)}]"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(
        event,
        detector_id=event.deep_get("requestParameters", "detectorId"),
        member_accounts=event.deep_get("requestParameters", "accountIds"),
    )
