import time

from community_aws_helpers import aws_rule_context
from panther_detection_helpers.caching import put_string_set

# How long an account counts as new for rules that call check_account_age.
NEW_ACCOUNT_SECONDS = 7 * 24 * 3600


def new_account_key(account_id):
    return f"new-account:{account_id}"


def _new_account_id(event):
    return event.deep_get("serviceEventDetails", "createAccountStatus", "accountId")


def rule(event):
    if event.get("eventName") != "CreateAccountResult":
        return False
    if event.deep_get("serviceEventDetails", "createAccountStatus", "state") != "SUCCEEDED":
        return False
    account_id = _new_account_id(event)
    if not account_id:
        return False
    put_string_set(
        new_account_key(account_id),
        [account_id],
        epoch_seconds=int(time.time()) + NEW_ACCOUNT_SECONDS,
    )
    return True


def title(event):
    name = event.deep_get(
        "serviceEventDetails", "createAccountStatus", "accountName", default="<UNKNOWN>"
    )
    return f"New AWS account [{name}] ({_new_account_id(event)}) joined the organization"


def dedup(event):
    return str(_new_account_id(event))


def alert_context(event):
    context = aws_rule_context(event)
    context["newAccountId"] = _new_account_id(event)
    return context
