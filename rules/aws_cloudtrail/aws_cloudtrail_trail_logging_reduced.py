from iota_aws_helpers import (
    account_id,
    actor_arn,
    as_list,
    aws_context,
    dig,
    is_failed,
    is_mapping,
    trail_name,
)

TRAIL_UPDATE_EVENTS = {"UpdateTrail", "PutEventSelectors"}
CLOUDTRAIL_SOURCE = "cloudtrail.amazonaws.com"
WRITE_READ_WRITE_TYPES = {"All", "WriteOnly"}


def rule(event):
    if event.get("eventName") not in TRAIL_UPDATE_EVENTS:
        return False
    if event.get("eventSource") != CLOUDTRAIL_SOURCE or is_failed(event):
        return False
    return bool(_reductions(event))


def _is_false(value):
    return value is False or (isinstance(value, str) and value.lower() == "false")


def _basic_selector_logs_writes(selector):
    # Omitted fields take the API defaults: management events on, All.
    if not is_mapping(selector):
        return False
    include = selector.get("includeManagementEvents")
    read_write = selector.get("readWriteType") or "All"
    return not _is_false(include) and str(read_write) in WRITE_READ_WRITE_TYPES


def _advanced_selector_logs_writes(selector):
    is_management = False
    only_reads = False
    for field_selector in as_list(dig(selector, "fieldSelectors")):
        field = dig(field_selector, "field")
        equals = [str(value).lower() for value in as_list(dig(field_selector, "equals"))]
        if field == "eventCategory" and "management" in equals:
            is_management = True
        if field == "readOnly" and equals == ["true"]:
            only_reads = True
    return is_management and not only_reads


def _reductions(event):
    """What the change stops recording, as short phrases (empty when nothing)."""
    if event.get("eventName") == "UpdateTrail":
        found = []
        if _is_false(event.deep_get("requestParameters", "includeGlobalServiceEvents")):
            found.append("global service events (IAM, STS) are no longer recorded")
        if _is_false(event.deep_get("requestParameters", "isMultiRegionTrail")):
            found.append("other regions are no longer recorded")
        return found
    basic = event.deep_get("requestParameters", "eventSelectors")
    advanced = event.deep_get("requestParameters", "advancedEventSelectors")
    if basic is not None:
        logs_writes = any(_basic_selector_logs_writes(s) for s in as_list(basic))
    elif advanced is not None:
        logs_writes = any(_advanced_selector_logs_writes(s) for s in as_list(advanced))
    else:
        return []
    return [] if logs_writes else ["write management events are no longer recorded"]


def _trail(event):
    # UpdateTrail names the trail in "name", PutEventSelectors in "trailName".
    return trail_name(
        event.deep_get("requestParameters", "name")
        or event.deep_get("requestParameters", "trailName")
    )


def title(event):
    return (
        f"CloudTrail trail [{_trail(event)}] in account [{account_id(event)}] records less: "
        f"{'; '.join(_reductions(event))}"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(event, trail=_trail(event), reductions=_reductions(event))
