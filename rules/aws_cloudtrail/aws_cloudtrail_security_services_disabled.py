from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    request,
)

# Security services other than GuardDuty, Config and CloudTrail (those have their own rules).
DISABLE_EVENTS = {
    "DisableSecurityHub": ("securityhub.amazonaws.com", "Security Hub disabled"),
    "BatchDisableStandards": ("securityhub.amazonaws.com", "Security Hub standards disabled"),
    "DisassociateFromAdministratorAccount": (
        "securityhub.amazonaws.com",
        "Security Hub detached from its administrator",
    ),
    "DeleteAnalyzer": ("access-analyzer.amazonaws.com", "IAM Access Analyzer deleted"),
    "DisableMacie": ("macie2.amazonaws.com", "Macie disabled"),
    "UpdateMacieSession": ("macie2.amazonaws.com", "Macie paused"),
    "Disable": ("inspector2.amazonaws.com", "Inspector disabled"),
    "DeleteDetector": ("detective.amazonaws.com", "Detective behavior graph deleted"),
}
DISABLE_EVENT_NAMES = {
    "DisableSecurityHub",
    "BatchDisableStandards",
    "DisassociateFromAdministratorAccount",
    "DeleteAnalyzer",
    "DisableMacie",
    "UpdateMacieSession",
    "Disable",
    "DeleteDetector",
}


def rule(event):
    if event.get("eventName") not in DISABLE_EVENT_NAMES:
        return False
    source, _ = DISABLE_EVENTS.get(event.get("eventName"), ("", ""))
    if event.get("eventSource") != source or is_failed(event):
        return False
    if is_aws_internal(event):
        return False
    if event.get("eventName") == "UpdateMacieSession":
        return str(request(event, "status", default="")).upper() == "PAUSED"
    return True


def _what(event):
    return DISABLE_EVENTS.get(event.get("eventName"), ("", "Security service changed"))[1]


def title(event):
    return (
        f"{_what(event)} in account [{account_id(event)}] region "
        f"[{event.get('awsRegion', '<unknown>')}] by [{actor_name(event)}]"
    )


def severity(event):
    # Access Analyzer only reports exposure; losing it matters less than losing detection.
    return "LOW" if event.get("eventName") == "DeleteAnalyzer" else "DEFAULT"


def dedup(event):
    return f"{actor_arn(event)}:{event.get('eventSource')}"


def alert_context(event):
    return aws_context(
        event,
        service=event.get("eventSource"),
        change=_what(event),
        analyzer=request(event, "analyzerName"),
        standards=request(event, "standardsSubscriptionArns"),
    )
