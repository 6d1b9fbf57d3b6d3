from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    request,
)

SUPPRESSION_EVENTS = {
    "CreateIPSet",
    "UpdateIPSet",
    "CreateFilter",
    "UpdateFilter",
    "DeletePublishingDestination",
    "DeleteThreatIntelSet",
}
GUARDDUTY_SOURCE = "guardduty.amazonaws.com"
ARCHIVE = "ARCHIVE"


def rule(event):
    if event.get("eventName") not in SUPPRESSION_EVENTS:
        return False
    if event.get("eventSource") != GUARDDUTY_SOURCE or is_failed(event):
        return False
    if is_aws_internal(event):
        return False
    if event.get("eventName") in ("CreateFilter", "UpdateFilter"):
        # Filters that only sort findings are harmless; auto-archive hides them.
        return str(request(event, "action", default="")).upper() == ARCHIVE
    if event.get("eventName") == "UpdateIPSet":
        return request(event, "activate") is not False
    return True


DESCRIPTIONS = {
    "CreateIPSet": "trusted IP list created",
    "UpdateIPSet": "trusted IP list changed",
    "CreateFilter": "auto-archive filter created",
    "UpdateFilter": "filter set to auto-archive",
    "DeletePublishingDestination": "findings export removed",
    "DeleteThreatIntelSet": "threat list deleted",
}


def _target(event):
    return str(
        request(event, "name")
        or request(event, "filterName")
        or request(event, "ipSetId")
        or request(event, "destinationId")
        or request(event, "threatIntelSetId")
        or "<unknown>"
    )


def title(event):
    what = DESCRIPTIONS.get(event.get("eventName"), "changed")
    return (
        f"GuardDuty {what} [{_target(event)}] by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def severity(event):
    # A trusted IP list silences every finding for those addresses.
    return "HIGH" if event.get("eventName") in ("CreateIPSet", "UpdateIPSet") else "DEFAULT"


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(
        event,
        detector=request(event, "detectorId"),
        target=_target(event),
        location=request(event, "location"),
        finding_criteria=request(event, "findingCriteria"),
    )
