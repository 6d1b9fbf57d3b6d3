import time

from community_aws_helpers import aws_rule_context
from panther_detection_helpers.caching import get_dictionary, put_dictionary, set_key_expiration

HISTORY_SECONDS = 60 * 24 * 3600
MAX_REMEMBERED_IPS = 20


def _key(event):
    return f"console-ips:{event.udm('actor_arn') or event.udm('actor_user')}"


def rule(event):
    if event.get("eventName") != "ConsoleLogin":
        return False
    if event.deep_get("responseElements", "ConsoleLogin") != "Success":
        return False
    address = event.udm("source_ip")
    key = _key(event)
    history = dict(get_dictionary(key))
    known = list(history.get("ips", []))
    if address in known:
        return False
    put_dictionary(
        key,
        {"ips": (known + [address])[-MAX_REMEMBERED_IPS:], "updated": int(time.time())},
    )
    set_key_expiration(key, time.time() + HISTORY_SECONDS)
    # The first login we ever see for a user only starts its history.
    return bool(known)


def title(event):
    return f"[{event.udm('actor_user')}] signed in from new address [{event.udm('source_ip')}]"


def alert_context(event):
    context = aws_rule_context(event)
    context["knownAddresses"] = list(get_dictionary(_key(event)).get("ips", []))
    return context
