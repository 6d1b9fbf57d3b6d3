"""Generic helpers shared by the community rule pack: nested lookups, glob
matching and the pack-wide configuration of allowed values."""

import fnmatch
import ipaddress
import json
from collections.abc import Mapping

# Values a deployment expects to see. Rules read these through the helper
# functions below so that a site can adjust them in one place.
PACK_CONFIG = {
    "admin_role_patterns": [
        "*OrganizationAccountAccessRole",
        "*/AWSReservedSSO_AdministratorAccess_*",
    ],
    "break_glass_users": ["breakglass-primary", "breakglass-secondary"],
    "iac_user_agents": ["*Terraform/*", "*cloudformation.amazonaws.com*", "*aws-cdk*", "*Pulumi*"],
    "trusted_cidrs": ["10.0.0.0/8", "192.168.0.0/16"],
    "sensitive_ports": [22, 23, 445, 1433, 3306, 3389, 5432, 6379, 9200, 27017],
}


def config_values(name: str) -> list:
    """The configured list for `name` (an empty list when the name is unknown)."""
    return list(PACK_CONFIG.get(name, []))


def deep_get(dictionary, *keys, default=None):
    """Nested lookup over plain dicts; `default` when a step is missing or None."""
    node = dictionary
    for key in keys:
        if not isinstance(node, Mapping):
            return default
        node = node.get(key)
        if node is None:
            return default
    return node


def pattern_match(value, pattern: str) -> bool:
    """Shell-style match of `value` against `pattern` (False for non-strings)."""
    return isinstance(value, str) and fnmatch.fnmatch(value, pattern)


def pattern_match_list(value, patterns) -> bool:
    """True when `value` matches any of `patterns`."""
    return any(pattern_match(value, pattern) for pattern in patterns)


def is_ip_in_trusted_network(address) -> bool:
    """True when `address` parses and falls inside one of the trusted CIDRs."""
    try:
        parsed = ipaddress.ip_address(str(address))
    except ValueError:
        return False
    return any(parsed in ipaddress.ip_network(cidr) for cidr in config_values("trusted_cidrs"))


def load_json_field(value):
    """A field that CloudTrail sometimes records as a JSON string, as a Python object."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def as_list(value) -> list:
    """`value` as a list: None gives [], a scalar or a mapping gives a one-item list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
