from community_aws_helpers import actor_arn, aws_rule_context
from community_base_helpers import as_list, load_json_field


def _open_statements(event):
    document = load_json_field(
        event.deep_get("requestParameters", "policyDocument")
    ) or load_json_field(event.deep_get("requestParameters", "assumeRolePolicyDocument"))
    if not isinstance(document, dict):
        return []
    found = []
    for statement in as_list(document.get("Statement")):
        principal = statement.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, dict) else principal
        if (
            statement.get("Effect") == "Allow"
            and "*" in as_list(aws)
            and not statement.get("Condition")
        ):
            found.append(statement)
    return found


def rule(event):
    if event.get("eventName") not in ("CreateRole", "UpdateAssumeRolePolicy") or event.get(
        "errorCode"
    ):
        return False
    return bool(_open_statements(event))


def title(event):
    role = event.deep_get("requestParameters", "roleName", default="<UNKNOWN>")
    return f"Role [{role}] can be assumed by any AWS principal, set by [{actor_arn(event)}]"


def alert_context(event):
    context = aws_rule_context(event)
    context["openStatements"] = _open_statements(event)
    return context
