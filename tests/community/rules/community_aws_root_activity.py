from community_aws_helpers import aws_rule_context, is_service_principal, lookup_account_name

# Calls the root user makes routinely that are not worth waking anyone for.
ROUTINE_ROOT_EVENTS = {"GetAccountSummary", "ListMFADevices", "GetAccountPasswordPolicy"}
IAM_WRITE_PREFIXES = ("Create", "Delete", "Put", "Attach", "Update")


def rule(event):
    if event.deep_get("userIdentity", "type") != "Root":
        return False
    if is_service_principal(event):
        return False
    if event.get("eventType") == "AwsServiceEvent":
        return False
    return event.get("eventName") not in ROUTINE_ROOT_EVENTS


def title(event):
    account_id = event.get("recipientAccountId")
    account = lookup_account_name(account_id) or account_id
    return f"Root user called [{event.get('eventName')}] in account [{account}]"


def dedup(event):
    return f"root-activity:{event.get('recipientAccountId')}"


def severity(event):
    if event.get("eventName") == "ConsoleLogin":
        return "DEFAULT"
    if event.get("eventSource") == "iam.amazonaws.com" and event.get("eventName", "").startswith(
        IAM_WRITE_PREFIXES
    ):
        return "Critical"
    return "DEFAULT"


def alert_context(event):
    return aws_rule_context(event)


def destinations(event):
    if severity(event) == "Critical":
        return ["pagerduty-security", "slack-security"]
    return None
