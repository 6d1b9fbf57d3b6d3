from community_aws_helpers import aws_rule_context, lookup_account_name


def rule(event):
    return (
        event.get("eventName") == "CreateAccessKey"
        and event.deep_get("userIdentity", "type") == "Root"
        # A root key is only created when the call names no user.
        and not event.deep_get("requestParameters", "userName")
        and not event.get("errorCode")
    )


def title(event):
    account = lookup_account_name(event.get("recipientAccountId")) or event.get(
        "recipientAccountId"
    )
    return f"Access key created for the root user of [{account}]"


def alert_context(event):
    context = aws_rule_context(event)
    context["accessKeyId"] = event.deep_get("responseElements", "accessKey", "accessKeyId")
    return context
