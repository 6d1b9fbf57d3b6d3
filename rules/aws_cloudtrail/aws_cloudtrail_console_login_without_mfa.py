from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context


def rule(event):
    if event.get("eventName") != "ConsoleLogin":
        return False
    # Only IAM users: federated and IAM Identity Center sign-ins report MFAUsed "No"
    # because MFA happens at the identity provider, and root has its own rule.
    return (
        event.deep_get("userIdentity", "type") == "IAMUser"
        and event.deep_get("responseElements", "ConsoleLogin") == "Success"
        and event.deep_get("additionalEventData", "MFAUsed") == "No"
    )


def title(event):
    return (
        f"IAM user [{actor_name(event)}] signed in to the console of account "
        f"[{account_id(event)}] without MFA from [{event.get('sourceIPAddress', '<unknown>')}]"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(
        event,
        user_name=actor_name(event),
        login_to=event.deep_get("additionalEventData", "LoginTo"),
    )
