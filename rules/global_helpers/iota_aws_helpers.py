"""Shared helpers for iota's bundled AWS CloudTrail rules.

Rules import these with ``from iota_aws_helpers import ...``. Every function
takes the read-only event (or a value read from it) and tolerates records with
missing or oddly shaped fields: absent means "not there", never an exception.
"""

import ipaddress
import json
from urllib.parse import unquote

AWS_SERVICE_DOMAIN = ".amazonaws.com"
UNKNOWN = "<unknown>"


def is_mapping(value):
    """True for JSON objects, whatever read-only mapping type the engine uses."""
    return (
        value is not None
        and not isinstance(value, (str, bytes))
        and hasattr(value, "get")
        and hasattr(value, "keys")
    )


def as_list(value):
    """A value as a list: None gives [], a list or tuple its items, anything else [value].

    CloudTrail writes a single item where a list is usual in some places (ACL
    grants, policy statements), and deep_walk returns a lone match unwrapped.
    """
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or is_mapping(value):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def dig(value, *keys, default=None):
    """deep_get for nested values read from the event (plain or read-only mappings)."""
    for key in keys:
        if not is_mapping(value):
            return default
        value = value.get(key)
        if value is None:
            return default
    return value


def plain(value):
    """A JSON-ready copy of a value read from the event (mappings to dicts, lists to lists)."""
    if is_mapping(value):
        return {str(key): plain(value.get(key)) for key in value.keys()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def is_failed(event):
    """True when AWS refused or failed the call (the record has an errorCode)."""
    return bool(event.get("errorCode"))


def is_aws_service_caller(event):
    """True when an AWS service made the call, itself or on a user's behalf.

    That is a userIdentity of type AWSService, or a sourceIPAddress that is a
    service name such as ``cloudformation.amazonaws.com``. A source of
    ``AWS Internal`` does not count: it does not say who asked for the call.
    """
    if event.deep_get("userIdentity", "type") == "AWSService":
        return True
    source = event.get("sourceIPAddress")
    return isinstance(source, str) and source.endswith(AWS_SERVICE_DOMAIN)


def text(value):
    """The value when it is a non-empty string, else None (for fields of unexpected shape)."""
    return value if isinstance(value, str) and value else None


def actor_arn(event):
    """The ARN of whoever made the call, or the best identifier CloudTrail gives."""
    return (
        text(event.deep_get("userIdentity", "arn"))
        or text(event.deep_get("userIdentity", "sessionContext", "sessionIssuer", "arn"))
        or text(event.deep_get("userIdentity", "invokedBy"))
        or text(event.deep_get("userIdentity", "principalId"))
        or UNKNOWN
    )


def actor_name(event):
    """A short readable caller name: user name, ``role/session``, ``root`` or the service."""
    if event.deep_get("userIdentity", "type") == "Root":
        return "root"
    user_name = text(event.deep_get("userIdentity", "userName"))
    if user_name:
        return user_name
    arn = text(event.deep_get("userIdentity", "arn")) or ""
    if ":assumed-role/" in arn:
        return arn.split(":assumed-role/", 1)[1]
    if arn:
        return arn.rsplit("/", 1)[-1]
    return text(event.deep_get("userIdentity", "invokedBy")) or UNKNOWN


def account_id(event):
    """The account the event happened in."""
    return (
        text(event.get("recipientAccountId"))
        or text(event.deep_get("userIdentity", "accountId"))
        or UNKNOWN
    )


def trail_name(value):
    """A trail's name from the name-or-ARN that CloudTrail calls accept."""
    name = text(value)
    return name.rsplit(":trail/", 1)[-1] if name else "<unknown trail>"


def load_policy(value):
    """A policy document from requestParameters as a mapping, or None.

    CloudTrail records S3 bucket policies as objects and IAM policy documents
    as JSON strings (sometimes URL-encoded); both are accepted.
    """
    if is_mapping(value):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("%7B"):
        text = unquote(text)
    try:
        policy = json.loads(text)
    except ValueError:
        return None
    return policy if isinstance(policy, dict) else None


def policy_statements(value):
    """The statements of a policy document (see load_policy) as a list of mappings."""
    policy = load_policy(value)
    if policy is None:
        return []
    return [statement for statement in as_list(policy.get("Statement")) if is_mapping(statement)]


def aws_context(event, **resources):
    """The standard alert context: who, from where, in which account and region, on what.

    Keyword arguments name the affected resources and are added as given
    (converted to plain JSON values).
    """
    context = {
        "actor": actor_arn(event),
        "actor_type": event.deep_get("userIdentity", "type", default=UNKNOWN),
        "access_key_id": event.deep_get("userIdentity", "accessKeyId"),
        "mfa_authenticated": event.deep_get(
            "userIdentity", "sessionContext", "attributes", "mfaAuthenticated"
        ),
        "source_ip": event.get("sourceIPAddress", UNKNOWN),
        "user_agent": event.get("userAgent", UNKNOWN),
        "account": account_id(event),
        "region": event.get("awsRegion", UNKNOWN),
        "event_source": event.get("eventSource", UNKNOWN),
        "event_name": event.get("eventName", UNKNOWN),
        "event_id": event.get("eventID"),
        "event_time": event.get("eventTime"),
    }
    context.update(resources)
    return {name: plain(value) for name, value in context.items()}


# --- Who is calling -------------------------------------------------------------

SERVICE_LINKED_PATH = ":role/aws-service-role/"
SERVICE_LINKED_PREFIX = "AWSServiceRoleFor"
# Name fragments of roles and users that run deployments and other routine automation.
# Rules lower their severity (usually to Info) for these callers instead of ignoring them,
# so a stolen pipeline credential still leaves a trace.
AUTOMATION_NAME_HINTS = (
    "github-actions",
    "gitlab",
    "jenkins",
    "terraform",
    "atlantis",
    "spacelift",
    "codebuild",
    "codepipeline",
    "ci-deploy",
    "ci-runner",
    "deployer",
    "deploy-bot",
    "cicd",
)


def role_arn(event):
    """The IAM role behind an assumed-role session, else None."""
    return text(event.deep_get("userIdentity", "sessionContext", "sessionIssuer", "arn"))


def principal_key(event):
    """A stable key for the principal: the role for assumed-role sessions, else the caller ARN.

    Session names change on every assumption (instance ids, build numbers), so state
    kept per principal is kept per role.
    """
    if event.deep_get("userIdentity", "type") == "AssumedRole":
        return role_arn(event) or actor_arn(event)
    return actor_arn(event)


def principal_name(event):
    """The user or role name behind the call (the role for assumed-role sessions)."""
    issuer = text(event.deep_get("userIdentity", "sessionContext", "sessionIssuer", "userName"))
    return issuer or actor_name(event)


def is_service_linked(event):
    """True when the caller is a service-linked role (aws-service-role/, AWSServiceRoleFor*)."""
    arn = role_arn(event) or text(event.deep_get("userIdentity", "arn")) or ""
    return SERVICE_LINKED_PATH in arn or principal_name(event).startswith(SERVICE_LINKED_PREFIX)


def is_aws_internal(event):
    """True for calls AWS makes for itself: a service caller or a service-linked role."""
    return is_aws_service_caller(event) or is_service_linked(event)


def is_automation(event):
    """True when the caller looks like a CI/CD or infrastructure-as-code principal."""
    name = principal_name(event).lower()
    if any(hint in name for hint in AUTOMATION_NAME_HINTS):
        return True
    agent = str(event.get("userAgent") or "").lower()
    return "terraform/" in agent or "aws-cdk" in agent


def automation_severity(event):
    """``INFO`` for calls by automation (see is_automation), else the rule's own severity.

    For rules whose technique is also routine pipeline work: the alert is kept
    as a record without paging anyone.
    """
    return "INFO" if is_automation(event) else "DEFAULT"


# The calls that change who may use an EBS snapshot, AMI or RDS snapshot: the
# resource kind, the requestParameters key naming it and, for EC2, the key of
# the permission list the call edits (RDS uses attributeName/valuesToAdd).
SNAPSHOT_ATTRIBUTE_CALLS = {
    "ModifySnapshotAttribute": ("EBS snapshot", "snapshotId", "createVolumePermission"),
    "ModifyImageAttribute": ("AMI", "imageId", "launchPermission"),
    "ModifyDBSnapshotAttribute": ("RDS snapshot", "dBSnapshotIdentifier", None),
    "ModifyDBClusterSnapshotAttribute": (
        "RDS cluster snapshot",
        "dBClusterSnapshotIdentifier",
        None,
    ),
}


def is_root(event):
    """True when the root user of the account made the call."""
    return event.deep_get("userIdentity", "type") == "Root"


def is_public_ip(value):
    """True for a global (internet) IP address; False for private, service names and garbage."""
    if not isinstance(value, str) or not value[:1].isdigit() and ":" not in value:
        return False
    try:
        return ipaddress.ip_address(str(value)).is_global
    except ValueError:
        return False


def request(event, *keys, default=None):
    """A field of requestParameters."""
    return event.deep_get("requestParameters", *keys, default=default)


# --- Policies -------------------------------------------------------------------

# Conditions that tie a wildcard principal to the caller's own organization or resources.
SCOPING_CONDITION_KEYS = {
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:sourceorgid",
    "aws:resourceorgid",
    "sts:externalid",
}


def account_of(value):
    """The account id in an ARN or a bare 12-digit id, else None."""
    value = text(value)
    if not value:
        return None
    if value.isdigit() and len(value) == 12:
        return value
    parts = value.split(":")
    if len(parts) > 4 and parts[4].isdigit():
        return parts[4]
    return None


def _condition_keys(statement):
    keys = set()
    for operator_values in as_list(dig(statement, "Condition")):
        if is_mapping(operator_values):
            for values in operator_values.values():
                if is_mapping(values):
                    keys.update(str(key).lower() for key in values.keys())
    return keys


def _principal_values(statement):
    principal = dig(statement, "Principal")
    if principal == "*":
        return ["*"]
    if not is_mapping(principal):
        return []
    values = []
    for key in ("AWS", "CanonicalUser"):
        values += [str(value) for value in as_list(principal.get(key))]
    return values


def outside_principals(policy_value, own_account, conditions_scope_accounts=False):
    """Principals an Allow statement grants that are anyone ("*") or another account.

    A wildcard limited by an organization, source account, VPC or external-id
    condition is not counted; with ``conditions_scope_accounts`` such a condition
    also excuses a named outside account (vendor roles with an external id).
    Service principals are never counted.
    """
    found = []
    for statement in policy_statements(policy_value):
        if dig(statement, "Effect") != "Allow":
            continue
        scoped = bool(_condition_keys(statement) & SCOPING_CONDITION_KEYS)
        for value in _principal_values(statement):
            if value == "*":
                if not scoped:
                    found.append(value)
                continue
            other = account_of(value)
            if other and other != own_account and not (scoped and conditions_scope_accounts):
                found.append(value)
    return sorted(set(found))


def actions_of(statement):
    """The Action values of a policy statement, lower-cased."""
    return [str(action).lower() for action in as_list(dig(statement, "Action"))]


def grants_full_admin(policy_value):
    """True when an Allow statement grants every action ("*" or "iam:*") on every resource."""
    for statement in policy_statements(policy_value):
        if dig(statement, "Effect") != "Allow":
            continue
        resources = [str(value) for value in as_list(dig(statement, "Resource"))]
        if "*" in resources and any(action in ("*", "iam:*") for action in actions_of(statement)):
            return True
    return False


# --- State ----------------------------------------------------------------------


def add_new_to_set(key, values, epoch_seconds=None):
    """Adds to a string set of the state store only the values it lacks; returns the set.

    Reading is much cheaper than writing, and rules see the same few values again and
    again (an application reading its one secret), so most calls write nothing. The
    set's expiry is refreshed only when a new value arrives.
    """
    from panther_detection_helpers.caching import add_to_string_set, get_string_set

    values = [values] if isinstance(values, str) else list(values)
    seen = get_string_set(key)
    new = [value for value in values if value not in seen]
    if not new:
        return seen
    return add_to_string_set(key, new, epoch_seconds=epoch_seconds)
