"""AWS-specific helpers shared by the community CloudTrail rules."""

from community_base_helpers import deep_get

# Accounts of the organization by id. Rules use this to name accounts in
# titles and to tell known accounts from foreign ones.
ACCOUNT_NAMES = {
    "111122223333": "prod-payments",
    "444455556666": "shared-services",
    "777788889999": "security-audit",
}

_SERVICE_DOMAIN = ".amazonaws.com"


def lookup_account_name(account_id):
    """The organization's name for `account_id`, or None for an unknown account."""
    return ACCOUNT_NAMES.get(str(account_id)) if account_id is not None else None


def account_label(account_id) -> str:
    """`name (id)` for known accounts, the bare id otherwise."""
    name = lookup_account_name(account_id)
    return f"{name} ({account_id})" if name else str(account_id)


def is_service_principal(event) -> bool:
    """True when the call was made by an AWS service rather than a person or workload."""
    identity = event.get("userIdentity") or {}
    if identity.get("type") == "AWSService":
        return True
    invoked_by = identity.get("invokedBy") or ""
    return invoked_by.endswith(_SERVICE_DOMAIN)


def actor_arn(event) -> str:
    """The ARN of the caller, falling back to the principal id or "<unknown>"."""
    identity = event.get("userIdentity") or {}
    arn = identity.get("arn")
    if arn:
        return arn
    return identity.get("principalId") or "<unknown>"


def session_issuer_arn(event):
    """For assumed-role callers, the ARN of the role behind the session."""
    return event.deep_get("userIdentity", "sessionContext", "sessionIssuer", "arn")


def error_occurred(event) -> bool:
    """True when CloudTrail recorded an error for the call."""
    return bool(event.get("errorCode")) or bool(event.get("errorMessage"))


def aws_rule_context(event) -> dict:
    """The fields every CloudTrail alert carries in its context."""
    identity = event.get("userIdentity") or {}
    return {
        "eventName": event.get("eventName", "<UNKNOWN>"),
        "eventSource": event.get("eventSource", "<UNKNOWN>"),
        "awsRegion": event.get("awsRegion", "<UNKNOWN>"),
        "recipientAccountId": event.get("recipientAccountId", "<UNKNOWN>"),
        "accountName": lookup_account_name(event.get("recipientAccountId")) or "<UNKNOWN>",
        "sourceIPAddress": event.get("sourceIPAddress", "<UNKNOWN>"),
        "userAgent": event.get("userAgent", "<UNKNOWN>"),
        "actor": actor_arn(event),
        "actorType": identity.get("type", "<UNKNOWN>"),
        "mfaAuthenticated": deep_get(
            identity, "sessionContext", "attributes", "mfaAuthenticated", default="<UNKNOWN>"
        ),
        "errorCode": event.get("errorCode"),
    }
