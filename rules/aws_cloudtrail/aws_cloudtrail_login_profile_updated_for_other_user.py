from iota_aws_helpers import account_id, actor_name, aws_context, is_automation, is_failed, request

LOGIN_PROFILE_EVENTS = {"UpdateLoginProfile"}
IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") not in LOGIN_PROFILE_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    target = request(event, "userName")
    return bool(target) and target != event.deep_get("userIdentity", "userName")


def _target(event):
    return str(request(event, "userName", default="<unknown user>"))


def title(event):
    return (
        f"Console password of IAM user [{_target(event)}] changed by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def severity(event):
    if is_automation(event):
        return "INFO"
    # A reset that forces a new password at next sign-in is the helpdesk pattern.
    return "MEDIUM" if request(event, "passwordResetRequired") is True else "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_target(event)}"


def alert_context(event):
    return aws_context(
        event,
        target_user=_target(event),
        password_reset_required=request(event, "passwordResetRequired"),
    )
