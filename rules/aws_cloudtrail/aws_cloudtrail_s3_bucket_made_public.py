from iota_aws_helpers import (
    actor_name,
    as_list,
    aws_context,
    dig,
    is_failed,
    is_mapping,
    policy_statements,
    text,
)

BUCKET_ACCESS_EVENTS = {"PutBucketPolicy", "PutBucketAcl"}
S3_SOURCE = "s3.amazonaws.com"
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}
PUBLIC_CANNED_ACLS = {"public-read", "public-read-write", "authenticated-read"}
GRANT_HEADERS = (
    "x-amz-grant-read",
    "x-amz-grant-write",
    "x-amz-grant-read-acp",
    "x-amz-grant-write-acp",
    "x-amz-grant-full-control",
)
# Condition keys that limit who can use a statement, so "*" is not everyone.
RESTRICTING_CONDITION_KEYS = {
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:userid",
    "aws:username",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
}


def rule(event):
    if event.get("eventName") not in BUCKET_ACCESS_EVENTS:
        return False
    if event.get("eventSource") != S3_SOURCE or is_failed(event):
        return False
    return bool(_public_grants(event))


def _is_everyone(principal):
    if principal == "*":
        return True
    return is_mapping(principal) and "*" in [str(p).strip() for p in as_list(principal.get("AWS"))]


def _condition_restricts(condition):
    if not is_mapping(condition):
        return False
    for operator in condition.keys():
        keys = condition.get(operator)
        if is_mapping(keys) and any(
            str(key).lower() in RESTRICTING_CONDITION_KEYS for key in keys.keys()
        ):
            return True
    return False


def _public_policy_grants(event):
    grants = []
    for index, statement in enumerate(
        policy_statements(event.deep_get("requestParameters", "bucketPolicy"))
    ):
        if (
            statement.get("Effect") == "Allow"
            and _is_everyone(statement.get("Principal"))
            and not _condition_restricts(statement.get("Condition"))
        ):
            actions = ", ".join(str(action) for action in as_list(statement.get("Action")))
            grants.append(
                f"policy statement {statement.get('Sid') or index} allows [{actions}] to everyone"
            )
    return grants


def _public_acl_grants(event):
    grants = []
    for acl in as_list(event.deep_get("requestParameters", "x-amz-acl")):
        if isinstance(acl, str) and acl in PUBLIC_CANNED_ACLS:
            grants.append(f"canned ACL {acl}")
    for header in GRANT_HEADERS:
        for value in as_list(event.deep_get("requestParameters", header)):
            for uri, group in PUBLIC_GROUPS.items():
                if isinstance(value, str) and uri in value:
                    grants.append(f"{header} to {group}")
    acl_grants = event.deep_get(
        "requestParameters", "AccessControlPolicy", "AccessControlList", "Grant"
    )
    for grant in as_list(acl_grants):
        group = PUBLIC_GROUPS.get(text(dig(grant, "Grantee", "URI")))
        if group:
            grants.append(f"ACL grant {dig(grant, 'Permission', default='?')} to {group}")
    return grants


def _public_grants(event):
    """What the call opened to everyone, in words (empty when nothing)."""
    if event.get("eventName") == "PutBucketPolicy":
        return _public_policy_grants(event)
    return _public_acl_grants(event)


def _bucket(event):
    return text(event.deep_get("requestParameters", "bucketName")) or "<unknown bucket>"


def title(event):
    return f"S3 bucket [{_bucket(event)}] made public by [{actor_name(event)}]"


def dedup(event):
    # Each exposed bucket is its own finding to fix; bucket names are global.
    return _bucket(event)


def alert_context(event):
    return aws_context(event, bucket=_bucket(event), public_grants=_public_grants(event))
