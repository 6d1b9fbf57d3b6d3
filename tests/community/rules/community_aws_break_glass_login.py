from community_aws_helpers import aws_rule_context, lookup_account_name
from community_base_helpers import config_values, is_ip_in_trusted_network


def rule(event):
    if event.get("eventName") != "ConsoleLogin":
        return False
    return event.udm("actor_user") in config_values("break_glass_users")


def title(event):
    account = lookup_account_name(event.get("recipientAccountId")) or event.get(
        "recipientAccountId"
    )
    outcome = event.deep_get("responseElements", "ConsoleLogin", default="attempt")
    user = event.udm("actor_user")
    return f"Break-glass user [{user}] console login {outcome.lower()} in [{account}]"


def severity(event):
    if not is_ip_in_trusted_network(event.udm("source_ip")):
        return "Critical"
    return "DEFAULT"


def destinations(event):
    return ["pagerduty-security"]


def alert_context(event):
    context = aws_rule_context(event)
    context["trustedNetwork"] = is_ip_in_trusted_network(event.udm("source_ip"))
    return context
