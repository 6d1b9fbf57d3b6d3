import time

from community_aws_helpers import actor_arn, aws_rule_context, is_service_principal
from panther_detection_helpers.caching import add_to_string_set, get_string_set

# Services a principal has been seen calling, remembered for 30 days.
MEMORY_SECONDS = 30 * 24 * 3600
# Read-mostly services that are noise when they appear for the first time.
QUIET_SERVICES = {"sts.amazonaws.com", "signin.amazonaws.com", "health.amazonaws.com"}


def _key(event):
    return f"services-used:{actor_arn(event)}"


def rule(event):
    if is_service_principal(event):
        return False
    source = event.get("eventSource")
    if not source or source in QUIET_SERVICES:
        return False
    key = _key(event)
    known = set(get_string_set(key))
    if source in known:
        return False
    add_to_string_set(key, source, int(time.time()) + MEMORY_SECONDS)
    # A principal with no history is being learned, not acting strangely.
    return bool(known)


def title(event):
    return f"[{actor_arn(event)}] called [{event.get('eventSource')}] for the first time"


def dedup(event):
    return f"{actor_arn(event)}:{event.get('eventSource')}"


def alert_context(event):
    context = aws_rule_context(event)
    context["knownServices"] = sorted(get_string_set(_key(event)))
    return context
