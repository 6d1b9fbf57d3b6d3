from community_aws_helpers import actor_arn, aws_rule_context


def _reduced(event):
    reasons = []
    kinds = event.deep_walk("requestParameters", "eventSelectors", "readWriteType", default=[])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if any(kind in ("ReadOnly", "WriteOnly") for kind in kinds):
        reasons.append("read/write type narrowed")
    management = event.deep_walk(
        "requestParameters", "eventSelectors", "includeManagementEvents", return_val="last"
    )
    if management is False:
        reasons.append("management events excluded")
    excluded = event.deep_walk(
        "requestParameters", "advancedEventSelectors", "fieldSelectors", "notEquals", default=[]
    )
    if excluded:
        reasons.append("advanced selector excludes events")
    return reasons


def rule(event):
    if event.get("eventName") != "PutEventSelectors" or event.get("errorCode"):
        return False
    return bool(_reduced(event))


def title(event):
    trail = str(event.deep_get("requestParameters", "trailName", default="<UNKNOWN>")).split("/")[
        -1
    ]
    return f"Event selectors of trail [{trail}] reduced by [{actor_arn(event)}]"


def alert_context(event):
    context = aws_rule_context(event)
    context["reasons"] = _reduced(event)
    return context
