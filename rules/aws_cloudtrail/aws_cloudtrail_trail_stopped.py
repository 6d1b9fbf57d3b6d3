from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, trail_name

TRAIL_STOP_EVENTS = {"StopLogging", "DeleteTrail"}
CLOUDTRAIL_SOURCE = "cloudtrail.amazonaws.com"


def rule(event):
    if event.get("eventName") not in TRAIL_STOP_EVENTS:
        return False
    return event.get("eventSource") == CLOUDTRAIL_SOURCE and not is_failed(event)


def _trail(event):
    return trail_name(event.deep_get("requestParameters", "name"))


def title(event):
    action = "deleted" if event.get("eventName") == "DeleteTrail" else "stopped"
    return (
        f"CloudTrail trail [{_trail(event)}] {action} by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    # One actor silencing several trails is one incident.
    return actor_arn(event)


def alert_context(event):
    return aws_context(event, trail=_trail(event))
