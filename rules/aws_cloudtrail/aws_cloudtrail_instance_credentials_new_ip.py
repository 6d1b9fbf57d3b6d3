from iota_aws_helpers import (
    add_new_to_set,
    account_id,
    aws_context,
    is_public_ip,
    principal_key,
    text,
)

# Calls typical of someone trying out stolen credentials. The reads workloads make
# all day (DescribeInstances, ListBuckets, ListRoles) are left out so that routine
# traffic never reaches the rule engine; GetCallerIdentity, the first call of nearly
# every intruder, stays in.
RECON_EVENTS = {
    "GetCallerIdentity",
    "ListUsers",
    "GetAccountAuthorizationDetails",
    "ListAttachedRolePolicies",
    "ListRolePolicies",
    "GetRolePolicy",
    "ListSecrets",
    "DescribeSnapshots",
    "GetAccountSummary",
    "ListAccessKeys",
}
# Instance profile credentials last at most a few hours.
WINDOW_SECONDS = 6 * 3600


def rule(event):
    if event.get("eventName") not in RECON_EVENTS:
        return False
    instance = _instance(event)
    if not instance or event.get("vpcEndpointId"):
        return False
    source = event.get("sourceIPAddress")
    key_id = text(event.deep_get("userIdentity", "accessKeyId"))
    if not key_id or not is_public_ip(source):
        return False
    seen = add_new_to_set(f"instance-creds-ip:{key_id}", str(source), epoch_seconds=WINDOW_SECONDS)
    # The instance uses its credentials first, from its own address; a second
    # public address for the same temporary key means they were copied out.
    return len(seen) > 1


def _instance(event):
    """The instance id in the session name of instance profile credentials, else None."""
    if event.deep_get("userIdentity", "type") != "AssumedRole":
        return None
    principal = text(event.deep_get("userIdentity", "principalId")) or ""
    session = principal.split(":", 1)[1] if ":" in principal else ""
    return session if session.startswith("i-") else None


def title(event):
    return (
        f"Credentials of instance [{_instance(event)}] used from a second address "
        f"[{event.get('sourceIPAddress')}] in account [{account_id(event)}]"
    )


def dedup(event):
    return f"{account_id(event)}:{_instance(event)}"


def alert_context(event):
    return aws_context(event, instance=_instance(event), role=principal_key(event))
