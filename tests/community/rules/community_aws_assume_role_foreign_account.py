from community_aws_helpers import aws_rule_context, lookup_account_name


def get_vendor_accounts():
    """Third-party accounts allowed to assume roles, by account id (kept in code review)."""
    return {"999988887777": "backup-vendor"}


def _caller_account(event):
    return event.deep_get("userIdentity", "accountId")


def rule(event):
    if event.get("eventName") != "AssumeRole" or event.get("errorCode"):
        return False
    caller = _caller_account(event)
    if not caller or caller == event.get("recipientAccountId"):
        return False
    if event.deep_get("userIdentity", "type") == "AWSService":
        return False
    return lookup_account_name(caller) is None and caller not in get_vendor_accounts()


def title(event):
    role = event.deep_get("requestParameters", "roleArn", default="<UNKNOWN>").split("/")[-1]
    return f"Role [{role}] assumed from unknown account [{_caller_account(event)}]"


def dedup(event):
    return f"{_caller_account(event)}:{event.deep_get('requestParameters', 'roleArn')}"


def alert_context(event):
    context = aws_rule_context(event)
    context["callerAccount"] = _caller_account(event)
    context["roleArn"] = event.deep_get("requestParameters", "roleArn")
    return context
