from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, request

GUARDRAIL_EVENTS = {"DetachPolicy", "DeletePolicy", "DisablePolicyType"}
ORGANIZATIONS_SOURCE = "organizations.amazonaws.com"


def rule(event):
    if event.get("eventName") not in GUARDRAIL_EVENTS:
        return False
    return event.get("eventSource") == ORGANIZATIONS_SOURCE and not is_failed(event)


def _policy(event):
    return str(request(event, "policyId") or request(event, "policyType") or "<unknown policy>")


def title(event):
    name = event.get("eventName")
    if name == "DisablePolicyType":
        change = f"policy type [{_policy(event)}] disabled for root [{request(event, 'rootId')}]"
    elif name == "DetachPolicy":
        change = f"policy [{_policy(event)}] detached from [{request(event, 'targetId')}]"
    else:
        change = f"policy [{_policy(event)}] deleted"
    return f"Organization guardrail removed: {change} by [{actor_name(event)}]"


def severity(event):
    # Disabling SCPs for the whole root removes every guardrail at once.
    return "HIGH" if event.get("eventName") == "DisablePolicyType" else "DEFAULT"


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(
        event,
        policy=_policy(event),
        target=request(event, "targetId"),
        root=request(event, "rootId"),
    )
