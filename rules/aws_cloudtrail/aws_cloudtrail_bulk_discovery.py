from iota_aws_helpers import (
    account_id,
    actor_name,
    add_new_to_set,
    automation_severity,
    aws_context,
    is_aws_internal,
    principal_key,
)

# Reconnaissance calls that workloads seldom make. The high-volume reads every
# application and monitoring tool makes (GetCallerIdentity, DescribeInstances,
# ListBuckets, DescribeTrails) are left
# out so that routine traffic stays out of the state store.
RECON_EVENTS = {
    "GetAccountAuthorizationDetails",
    "GetAccountSummary",
    "ListUsers",
    "ListGroups",
    "ListPolicies",
    "ListAccessKeys",
    "ListAttachedUserPolicies",
    "ListAttachedRolePolicies",
    "ListRolePolicies",
    "ListUserPolicies",
    "ListMFADevices",
    "GetLoginProfile",
    "ListSecrets",
    "DescribeParameters",
    "ListDetectors",
    "GetTrailStatus",
    "DescribeSnapshots",
    "DescribeImages",
    "DescribeDBInstances",
    "DescribeDBSnapshots",
    "ListHostedZones",
    "ListClusters",
    "DescribeKeyPairs",
    "ListIdentities",
    "GetSendQuota",
    "GetAccountSendingEnabled",
    "ListOrganizationalUnitsForParent",
    "ListAccounts",
    "DescribeOrganization",
}
DISTINCT_CALLS = 8
WINDOW_SECONDS = 600


def rule(event):
    if event.get("eventName") not in RECON_EVENTS:
        return False
    if is_aws_internal(event):
        return False
    # Denied calls count too: enumeration with a low-privilege key is mostly denials.
    seen = add_new_to_set(
        f"recon:{principal_key(event)}", str(event.get("eventName")), epoch_seconds=WINDOW_SECONDS
    )
    return len(seen) >= DISTINCT_CALLS


def title(event):
    return (
        f"[{actor_name(event)}] enumerated the account [{account_id(event)}]: "
        f"{DISTINCT_CALLS}+ different discovery calls within {WINDOW_SECONDS // 60} minutes"
    )


def severity(event):
    return automation_severity(event)


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(event, principal=principal_key(event), error_code=event.get("errorCode"))
