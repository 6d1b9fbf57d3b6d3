from panther_detection_helpers.caching import add_to_string_set, get_string_set

from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    grants_full_admin,
    is_failed,
    request,
)

USER_ADMIN_EVENTS = {"CreateUser", "AttachUserPolicy", "PutUserPolicy", "AddUserToGroup"}
IAM_SOURCE = "iam.amazonaws.com"
ADMIN_POLICY_NAMES = {"AdministratorAccess", "IAMFullAccess", "PowerUserAccess"}
ADMIN_GROUP_HINTS = ("admin",)
# How long a new user stays "new".
NEW_USER_SECONDS = 24 * 3600


def rule(event):
    if event.get("eventName") not in USER_ADMIN_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    user = request(event, "userName")
    if not user:
        return False
    new_users = f"new-iam-users:{account_id(event)}"
    admin_grants = f"iam-admin-grants:{account_id(event)}"
    if event.get("eventName") == "CreateUser":
        add_to_string_set(new_users, str(user), epoch_seconds=NEW_USER_SECONDS)
        # Files can be processed out of order: the grant may have been seen first.
        return str(user) in get_string_set(admin_grants)
    if not _grants_admin(event):
        return False
    add_to_string_set(admin_grants, str(user), epoch_seconds=NEW_USER_SECONDS)
    return str(user) in get_string_set(new_users)


def _grants_admin(event):
    name = event.get("eventName")
    if name == "AttachUserPolicy":
        return str(request(event, "policyArn", default="")).rsplit("/", 1)[-1] in ADMIN_POLICY_NAMES
    if name == "PutUserPolicy":
        return grants_full_admin(request(event, "policyDocument"))
    group = str(request(event, "groupName", default="")).lower()
    return any(hint in group for hint in ADMIN_GROUP_HINTS)


def _user(event):
    return str(request(event, "userName", default="<unknown user>"))


def title(event):
    return (
        f"New IAM user [{_user(event)}] given administrator access by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    return f"{account_id(event)}:{_user(event)}"


def alert_context(event):
    return aws_context(
        event,
        new_user=_user(event),
        policy=request(event, "policyArn") or request(event, "policyName"),
        group=request(event, "groupName"),
    )
