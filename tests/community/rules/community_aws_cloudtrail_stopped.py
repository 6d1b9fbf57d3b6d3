from community_aws_helpers import actor_arn, aws_rule_context, lookup_account_name
from community_base_helpers import config_values, pattern_match_list

TRAIL_TAMPERING = {"StopLogging", "DeleteTrail"}


def is_allowed_principal(arn):
    """Roles that may stop or delete trails during planned maintenance."""
    return pattern_match_list(arn, config_values("admin_role_patterns"))


def rule(event):
    if event.get("eventName") not in TRAIL_TAMPERING or event.get("errorCode"):
        return False
    return not is_allowed_principal(
        event.deep_get("userIdentity", "sessionContext", "sessionIssuer", "arn")
    )


def title(event):
    trail = event.deep_get("requestParameters", "name", default="<UNKNOWN>").split("/")[-1]
    account = lookup_account_name(event.get("recipientAccountId")) or event.get(
        "recipientAccountId"
    )
    return f"CloudTrail [{trail}] {event.get('eventName')} in [{account}] by [{actor_arn(event)}]"


def description(event):
    return (
        f"{event.get('eventName')} was called on trail "
        f"{event.deep_get('requestParameters', 'name')}; "
        "events after this call may not be recorded."
    )


def alert_context(event):
    return aws_rule_context(event)
