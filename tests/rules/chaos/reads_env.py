import os

# Records what the rule can see; the test expects no credentials and no proxies.
SEEN = sorted(
    k for k in os.environ if k.startswith("AWS_") or "PROXY" in k.upper() or k.startswith("IOTA_")
)


def rule(event):
    return bool(SEEN) and event.get("eventName") == "StopLogging"


def title(event):
    return "visible: " + ",".join(SEEN)
