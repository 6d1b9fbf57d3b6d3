from iota_aws_helpers import account_id, aws_context, text

LOGIN_EVENTS = {"ConsoleLogin"}
SIGNIN_SOURCE = "signin.amazonaws.com"


def rule(event):
    if event.get("eventName") not in LOGIN_EVENTS:
        return False
    if event.get("eventSource") != SIGNIN_SOURCE:
        return False
    # Each failure is a match; the rule's Threshold turns many of them into one alert.
    return event.deep_get("responseElements", "ConsoleLogin") == "Failure"


def _user(event):
    return (
        text(event.deep_get("userIdentity", "userName"))
        or text(event.deep_get("additionalEventData", "LoginTo"))
        or "<unknown user>"
    )


def title(event):
    return (
        f"Repeated failed console sign-ins to account [{account_id(event)}] "
        f"from [{event.get('sourceIPAddress', '<unknown>')}]"
    )


def dedup(event):
    # One source trying one or many users is one incident.
    return f"{account_id(event)}:{event.get('sourceIPAddress')}"


def alert_context(event):
    return aws_context(event, target_user=_user(event), error_message=event.get("errorMessage"))
