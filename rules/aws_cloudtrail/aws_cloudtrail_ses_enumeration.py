from iota_aws_helpers import (
    add_new_to_set,
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    principal_key,
)

SES_RECON_EVENTS = {
    "GetAccountSendingEnabled",
    "GetSendQuota",
    "ListIdentities",
    "GetIdentityVerificationAttributes",
    "ListEmailIdentities",
    "GetAccount",
}
SES_SOURCES = {"ses.amazonaws.com", "email.amazonaws.com"}
DISTINCT_CALLS = 3
WINDOW_SECONDS = 900


def rule(event):
    if event.get("eventName") not in SES_RECON_EVENTS:
        return False
    if event.get("eventSource") not in SES_SOURCES or is_aws_internal(event):
        return False
    seen = add_new_to_set(
        f"ses-recon:{principal_key(event)}",
        str(event.get("eventName")),
        epoch_seconds=WINDOW_SECONDS,
    )
    return len(seen) >= DISTINCT_CALLS


def title(event):
    return (
        f"[{actor_name(event)}] checked SES sending limits and identities in account "
        f"[{account_id(event)}] (spam/phishing preparation)"
    )


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(event, principal=principal_key(event))
