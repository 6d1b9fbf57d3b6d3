import json

from community_aws_helpers import aws_rule_context
from community_base_helpers import as_list, load_json_field

INLINE_POLICY_EVENTS = {"PutUserPolicy", "PutRolePolicy", "PutGroupPolicy"}


def _statements(event):
    # CloudTrail records the policy document as a JSON string.
    document = load_json_field(event.deep_get("requestParameters", "policyDocument"))
    if not isinstance(document, dict):
        return []
    return as_list(document.get("Statement"))


def _grants_everything(statement):
    if statement.get("Effect") != "Allow":
        return False
    actions = as_list(statement.get("Action"))
    resources = as_list(statement.get("Resource"))
    return ("*" in actions or "iam:*" in actions) and "*" in resources


def rule(event):
    if event.get("eventName") not in INLINE_POLICY_EVENTS or event.get("errorCode"):
        return False
    return any(_grants_everything(s) for s in _statements(event) if isinstance(s, dict))


def title(event):
    params = event.get("requestParameters") or {}
    target = params.get("userName") or params.get("roleName") or params.get("groupName")
    return f"Inline policy [{params.get('policyName')}] on [{target}] grants full access"


def alert_context(event):
    context = aws_rule_context(event)
    context["statements"] = json.loads(json.dumps(_statements(event)))
    return context
