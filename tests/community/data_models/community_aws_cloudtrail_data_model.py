"""Methods of the community data model for AWS.CloudTrail."""


def get_actor_user(event):
    """A short name for the caller, chosen by the kind of identity CloudTrail recorded."""
    identity = event.get("userIdentity") or {}
    kind = identity.get("type")
    if kind == "Root":
        return "root"
    if kind == "IAMUser":
        return identity.get("userName")
    if kind == "AssumedRole":
        # arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: the session name names the person.
        arn = identity.get("arn") or ""
        parts = arn.split("/")
        return parts[-1] if len(parts) >= 3 else arn or None
    if kind == "SAMLUser" or kind == "WebIdentityUser":
        return identity.get("userName") or identity.get("principalId")
    if kind == "AWSService":
        return identity.get("invokedBy")
    return identity.get("principalId")


def get_event_type(event):
    """A coarse classification of the call, used by several rules."""
    name = event.get("eventName")
    if name == "ConsoleLogin":
        outcome = event.deep_get("responseElements", "ConsoleLogin")
        return "successful_login" if outcome == "Success" else "failed_login"
    if name in ("DeactivateMFADevice", "DeleteVirtualMFADevice"):
        return "mfa_disabled"
    if name in ("AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"):
        policy = event.deep_get("requestParameters", "policyArn") or ""
        return (
            "admin_role_assigned" if policy.endswith("/AdministratorAccess") else "policy_attached"
        )
    if name in ("CreateUser", "CreateLoginProfile"):
        return "user_account_created"
    return None
