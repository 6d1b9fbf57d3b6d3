from community_aws_helpers import aws_rule_context


def rule(event):
    if event.get("eventName") != "CreateAccessKey" or event.get("errorCode"):
        return False
    target = event.udm("user")
    # No userName means the caller created a key for itself.
    return bool(target) and target != event.udm("actor_user")


def title(event):
    return f"[{event.udm('actor_user')}] created an access key for [{event.udm('user')}]"


def dedup(event):
    return f"{event.udm('actor_arn')}:{event.udm('user')}"


def alert_context(event):
    context = aws_rule_context(event)
    context["targetUser"] = event.udm("user")
    context["newKeyId"] = event.deep_get("responseElements", "accessKey", "accessKeyId")
    return context
