from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, text

IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") != "DeactivateMFADevice":
        return False
    return event.get("eventSource") == IAM_SOURCE and not is_failed(event)


def _target_user(event):
    # Root deactivating its own device sends no userName.
    return text(event.deep_get("requestParameters", "userName")) or actor_name(event)


def title(event):
    return (
        f"MFA device of [{_target_user(event)}] deactivated by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    return actor_arn(event)


def severity(event):
    # Removing somebody else's MFA is a step towards taking over their account.
    return "HIGH" if _target_user(event) != actor_name(event) else "DEFAULT"


def alert_context(event):
    return aws_context(
        event,
        target_user=_target_user(event),
        mfa_serial_number=event.deep_get("requestParameters", "serialNumber"),
    )
