from community_aws_helpers import actor_arn, aws_rule_context


def rule(event):
    if event.get("eventSource") != "guardduty.amazonaws.com" or event.get("errorCode"):
        return False
    name = event.get("eventName")
    if name in (
        "DeleteDetector",
        "DisassociateFromMasterAccount",
        "DisassociateFromAdministratorAccount",
    ):
        return True
    return name == "UpdateDetector" and event.deep_get("requestParameters", "enable") is False


def title(event):
    return (
        f"GuardDuty {event.get('eventName')} in [{event.get('awsRegion')}] by [{actor_arn(event)}]"
    )


def dedup(event):
    return f"{event.get('recipientAccountId')}:{event.get('awsRegion')}"


def alert_context(event):
    context = aws_rule_context(event)
    context["detectorId"] = event.deep_get("requestParameters", "detectorId")
    return context
