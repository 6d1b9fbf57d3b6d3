from iota_aws_helpers import account_id, aws_context

SIGNIN_SOURCE = "signin.amazonaws.com"


def rule(event):
    if event.get("eventName") != "ConsoleLogin":
        return False
    return (
        event.deep_get("userIdentity", "type") == "Root"
        and event.deep_get("responseElements", "ConsoleLogin") == "Success"
    )


def _mfa_used(event):
    return event.deep_get("additionalEventData", "MFAUsed") == "Yes"


def title(event):
    without = "" if _mfa_used(event) else " without MFA"
    return (
        f"Root user signed in to the console of account [{account_id(event)}]{without} "
        f"from [{event.get('sourceIPAddress', '<unknown>')}]"
    )


def dedup(event):
    # Repeated root sign-ins from one address in the window are one session of work.
    return f"{account_id(event)}:{event.get('sourceIPAddress', '<unknown>')}"


def severity(event):
    return "DEFAULT" if _mfa_used(event) else "CRITICAL"


def alert_context(event):
    return aws_context(
        event,
        mfa_used=event.deep_get("additionalEventData", "MFAUsed"),
        login_to=event.deep_get("additionalEventData", "LoginTo"),
    )
