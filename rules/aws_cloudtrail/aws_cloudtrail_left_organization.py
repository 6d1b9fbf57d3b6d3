from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, request

ORG_EXIT_EVENTS = {"LeaveOrganization", "RemoveAccountFromOrganization", "DeleteOrganization"}
ORGANIZATIONS_SOURCE = "organizations.amazonaws.com"


def rule(event):
    if event.get("eventName") not in ORG_EXIT_EVENTS:
        return False
    return event.get("eventSource") == ORGANIZATIONS_SOURCE and not is_failed(event)


def _account(event):
    # RemoveAccountFromOrganization names the member; LeaveOrganization is the caller's account.
    return str(request(event, "accountId", default=account_id(event)))


def title(event):
    name = event.get("eventName")
    if name == "DeleteOrganization":
        action = f"AWS Organization deleted by [{actor_name(event)}]"
    elif name == "RemoveAccountFromOrganization":
        action = (
            f"Account [{_account(event)}] removed from the organization by [{actor_name(event)}]"
        )
    else:
        action = f"Account [{_account(event)}] left its organization; caller [{actor_name(event)}]"
    return action


def dedup(event):
    return f"{_account(event)}:{actor_arn(event)}"


def alert_context(event):
    return aws_context(event, affected_account=_account(event))
