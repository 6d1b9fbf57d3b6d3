import time

from community_aws_helpers import aws_rule_context, lookup_account_name
from panther_detection_helpers.caching import get_counter, increment_counter, set_key_expiration

# Failed console logins for one user name from one address within the window.
FAILURE_LIMIT = 5
WINDOW_SECONDS = 15 * 60


def _counter_key(event):
    return "console-failures:{}:{}:{}".format(
        event.get("recipientAccountId"), event.udm("actor_user"), event.udm("source_ip")
    )


def rule(event):
    if event.get("eventName") != "ConsoleLogin":
        return False
    if event.deep_get("responseElements", "ConsoleLogin") != "Failure":
        return False
    key = _counter_key(event)
    count = increment_counter(key)
    if count == 1:
        # The window starts with the first failure, not the latest one. Expiry
        # times are epoch seconds, as the key-value store expects.
        set_key_expiration(key, int(time.time()) + WINDOW_SECONDS)
    return count >= FAILURE_LIMIT


def title(event):
    account = lookup_account_name(event.get("recipientAccountId")) or event.get(
        "recipientAccountId"
    )
    return f"Repeated console login failures for [{event.udm('actor_user')}] in [{account}]"


def dedup(event):
    return _counter_key(event)


def severity(event):
    if event.deep_get("userIdentity", "type") == "Root":
        return "High"
    return "DEFAULT"


def alert_context(event):
    context = aws_rule_context(event)
    context["failureReason"] = event.get("errorMessage")
    context["failureCount"] = get_counter(_counter_key(event))
    return context
