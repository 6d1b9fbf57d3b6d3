from iota_aws_helpers import (
    account_id,
    actor_name,
    as_list,
    aws_context,
    dig,
    is_aws_service_caller,
    is_failed,
    text,
)

EC2_SOURCE = "ec2.amazonaws.com"
WORLD_CIDRS = {"0.0.0.0/0", "::/0"}
ALL_PROTOCOLS = "-1"
# A public web tier on 80/443, and ping, are normal and do not alert.
WEB_PORTS = {80, 443}
ICMP_PROTOCOLS = {"icmp", "icmpv6", "1", "58"}
# Remote administration and database ports: exposing them is raised to High.
SENSITIVE_PORTS = {
    22: "SSH",
    23: "Telnet",
    445: "SMB",
    1433: "SQL Server",
    2375: "Docker",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5900: "VNC",
    6379: "Redis",
    9200: "Elasticsearch",
    11211: "Memcached",
    27017: "MongoDB",
}


def rule(event):
    if event.get("eventName") != "AuthorizeSecurityGroupIngress":
        return False
    if event.get("eventSource") != EC2_SOURCE or is_failed(event):
        return False
    # Load balancers and other services manage rules on groups they own.
    if is_aws_service_caller(event):
        return False
    return bool(_risky_openings(event))


def _port(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _opening(protocol, from_port, to_port, cidr):
    return {
        "protocol": str(protocol if protocol is not None else ALL_PROTOCOLS).lower(),
        "from_port": _port(from_port),
        "to_port": _port(to_port),
        "cidr": cidr,
    }


def _world_openings(event):
    """Each rule of the call that admits the whole internet, as a plain dict."""
    openings = []
    for permission in as_list(event.deep_get("requestParameters", "ipPermissions", "items")):
        cidrs = [dig(item, "cidrIp") for item in as_list(dig(permission, "ipRanges", "items"))]
        cidrs += [dig(item, "cidrIpv6") for item in as_list(dig(permission, "ipv6Ranges", "items"))]
        for cidr in cidrs:
            if isinstance(cidr, str) and cidr in WORLD_CIDRS:
                openings.append(
                    _opening(
                        dig(permission, "ipProtocol"),
                        dig(permission, "fromPort"),
                        dig(permission, "toPort"),
                        cidr,
                    )
                )
    # The older flat form of the call: one CIDR and one port range.
    cidr = event.deep_get("requestParameters", "cidrIp")
    if isinstance(cidr, str) and cidr in WORLD_CIDRS:
        openings.append(
            _opening(
                event.deep_get("requestParameters", "ipProtocol"),
                event.deep_get("requestParameters", "fromPort"),
                event.deep_get("requestParameters", "toPort"),
                cidr,
            )
        )
    return openings


def _all_ports(opening):
    return opening["protocol"] == ALL_PROTOCOLS or opening["from_port"] in (None, -1)


def _is_harmless(opening):
    if opening["protocol"] in ICMP_PROTOCOLS:
        return True
    return (
        not _all_ports(opening)
        and opening["from_port"] == opening["to_port"]
        and opening["from_port"] in WEB_PORTS
    )


def _risky_openings(event):
    return [opening for opening in _world_openings(event) if not _is_harmless(opening)]


def _exposed_services(opening):
    if _all_ports(opening):
        return ["all ports"]
    low = opening["from_port"]
    high = opening["to_port"] if opening["to_port"] is not None else low
    return [name for port, name in SENSITIVE_PORTS.items() if low <= port <= high]


def _describe(opening):
    if _all_ports(opening):
        return f"all traffic from {opening['cidr']}"
    ports = str(opening["from_port"])
    if opening["to_port"] not in (None, opening["from_port"]):
        ports += f"-{opening['to_port']}"
    return f"{opening['protocol']}/{ports} from {opening['cidr']}"


def _group(event):
    return (
        text(event.deep_get("requestParameters", "groupId"))
        or text(event.deep_get("requestParameters", "groupName"))
        or "<unknown group>"
    )


def title(event):
    openings = ", ".join(_describe(opening) for opening in _risky_openings(event))
    return (
        f"Security group [{_group(event)}] opened to the internet ({openings}) "
        f"by [{actor_name(event)}]"
    )


def dedup(event):
    # Every rule added to one group belongs to one alert.
    return f"{account_id(event)}:{_group(event)}"


def severity(event):
    if any(_exposed_services(opening) for opening in _risky_openings(event)):
        return "HIGH"
    return "DEFAULT"


def alert_context(event):
    openings = _risky_openings(event)
    return aws_context(
        event,
        security_group=_group(event),
        openings=[_describe(opening) for opening in openings],
        exposed_services=sorted({name for o in openings for name in _exposed_services(o)}),
    )
