from community_aws_helpers import aws_rule_context, lookup_account_name


def rule(event):
    if event.get("eventName") != "ConsoleLogin":
        return False
    if event.deep_get("responseElements", "ConsoleLogin") != "Success":
        return False
    # Federated sign-ins carry MFA in the identity provider, not in this field.
    if event.deep_get("userIdentity", "type") not in ("IAMUser", "Root"):
        return False
    return event.udm("mfa_used") == "No"


def title(event):
    account = lookup_account_name(event.udm("user_account_id")) or event.udm("user_account_id")
    user, address = event.udm("actor_user"), event.udm("source_ip")
    return f"[{user}] signed in to [{account}] without MFA from [{address}]"


def severity(event):
    return "Critical" if event.deep_get("userIdentity", "type") == "Root" else "DEFAULT"


def alert_context(event):
    return aws_rule_context(event)
