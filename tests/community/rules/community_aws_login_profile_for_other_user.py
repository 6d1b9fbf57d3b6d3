from community_aws_helpers import aws_rule_context


def rule(event):
    if event.get("eventName") not in ("CreateLoginProfile", "UpdateLoginProfile"):
        return False
    if event.get("errorCode"):
        return False
    return event.udm("user") not in (None, event.udm("actor_user"))


def title(event):
    verb = "set" if event.get("eventName") == "CreateLoginProfile" else "changed"
    return f"[{event.udm('actor_user')}] {verb} the console password of [{event.udm('user')}]"


def severity(event):
    # Forcing no reset lets the caller keep using the password it chose.
    if event.deep_get("requestParameters", "passwordResetRequired") is False:
        return "High"
    return "DEFAULT"


def alert_context(event):
    return aws_rule_context(event)
