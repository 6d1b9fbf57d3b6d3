from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    aws_context,
    is_automation,
    is_failed,
    request,
)

LOGIN_PROFILE_EVENTS = {"CreateLoginProfile"}
IAM_SOURCE = "iam.amazonaws.com"


def rule(event):
    if event.get("eventName") not in LOGIN_PROFILE_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    target = request(event, "userName")
    # Users setting their own first password are not the technique.
    return bool(target) and target != event.deep_get("userIdentity", "userName")


def _target(event):
    return str(request(event, "userName", default="<unknown user>"))


def title(event):
    return (
        f"Console password created for IAM user [{_target(event)}] by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def severity(event):
    # Onboarding pipelines create console users; keep a record without paging anyone.
    return "INFO" if is_automation(event) else "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_target(event)}"


def alert_context(event):
    return aws_context(
        event,
        target_user=_target(event),
        password_reset_required=request(event, "passwordResetRequired"),
        caller=actor_arn(event),
    )
