"""Matches successful console logins."""

from iota_test_helpers import login_type

LOGIN_EVENTS = {"ConsoleLogin"}


def rule(event):
    if event.get("eventName") not in LOGIN_EVENTS:
        return False
    return login_type(event) == "success"


def title(event):
    return f"Console login by {event.deep_get('userIdentity', 'arn', default='<unknown>')}"
