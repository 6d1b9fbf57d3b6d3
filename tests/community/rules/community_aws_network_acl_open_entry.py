from community_aws_helpers import aws_rule_context


def rule(event):
    if event.get("eventName") not in ("CreateNetworkAclEntry", "ReplaceNetworkAclEntry"):
        return False
    # Key spelling differs from the recorded camelCase on purpose: lookups fall
    # back to a case-insensitive match.
    params = event.get("RequestParameters") or {}
    return (
        (params.get("CidrBlock") in ("0.0.0.0/0",) or params.get("Ipv6CidrBlock") == "::/0")
        and params.get("RuleAction") == "allow"
        and params.get("Egress") is False
    )


def title(event):
    acl = event.deep_get("requestParameters", "networkAclId", default="<UNKNOWN>")
    return f"Network ACL [{acl}] allows inbound traffic from anywhere"


def alert_context(event):
    context = aws_rule_context(event)
    context["ruleNumber"] = event.deep_get("requestParameters", "ruleNumber")
    context["portRange"] = event.deep_get("requestParameters", "portRange")
    return context
