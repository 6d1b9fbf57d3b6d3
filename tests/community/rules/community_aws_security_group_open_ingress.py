from community_aws_helpers import aws_rule_context
from community_base_helpers import config_values

OPEN_RANGES = {"0.0.0.0/0", "::/0"}
WEB_PORTS = {80, 443}


def _open_cidrs(event):
    found = []
    for field, path in (
        ("cidrIp", ("ipRanges", "items", "cidrIp")),
        ("cidrIpv6", ("ipv6Ranges", "items", "cidrIpv6")),
    ):
        value = event.deep_walk("requestParameters", "ipPermissions", "items", *path, default=[])
        values = value if isinstance(value, list) else [value]
        found.extend(v for v in values if v in OPEN_RANGES)
    return found


def rule(event):
    if event.get("eventName") != "AuthorizeSecurityGroupIngress" or event.get("errorCode"):
        return False
    if not _open_cidrs(event):
        return False
    from_port = event.deep_walk(
        "requestParameters", "ipPermissions", "items", "fromPort", return_val="first"
    )
    to_port = event.deep_walk(
        "requestParameters", "ipPermissions", "items", "toPort", return_val="last"
    )
    # Only the web ports open to the world is the normal state of a public load balancer.
    return not (from_port in WEB_PORTS and to_port in WEB_PORTS and from_port == to_port)


def title(event):
    group = event.deep_get("requestParameters", "groupId", default="<UNKNOWN>")
    return f"Security group [{group}] opened to the internet by [{event.udm('actor_user')}]"


def severity(event):
    from_port = event.deep_walk(
        "requestParameters", "ipPermissions", "items", "fromPort", return_val="first"
    )
    protocol = event.deep_walk(
        "requestParameters", "ipPermissions", "items", "ipProtocol", return_val="first"
    )
    if protocol == "-1" or from_port in config_values("sensitive_ports"):
        return "High"
    return "DEFAULT"


def alert_context(event):
    context = aws_rule_context(event)
    context["openCidrs"] = _open_cidrs(event)
    context["groupId"] = event.deep_get("requestParameters", "groupId")
    return context
