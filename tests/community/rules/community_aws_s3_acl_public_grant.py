from community_aws_helpers import actor_arn, aws_rule_context

PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


def _public_grantees(event):
    uris = event.deep_walk(
        "requestParameters",
        "AccessControlPolicy",
        "AccessControlList",
        "Grant",
        "Grantee",
        "URI",
        default=[],
    )
    uris = uris if isinstance(uris, list) else [uris]
    return sorted(uri for uri in uris if uri in PUBLIC_GROUPS)


def rule(event):
    if event.get("eventName") not in ("PutBucketAcl", "PutObjectAcl") or event.get("errorCode"):
        return False
    return bool(_public_grantees(event))


def title(event):
    bucket = event.deep_get("requestParameters", "bucketName", default="<UNKNOWN>")
    return f"S3 ACL on [{bucket}] grants access to everyone, set by [{actor_arn(event)}]"


def alert_context(event):
    context = aws_rule_context(event)
    context["grantees"] = _public_grantees(event)
    return context
