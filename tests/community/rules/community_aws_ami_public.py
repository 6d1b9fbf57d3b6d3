from community_aws_helpers import actor_arn, aws_rule_context


def rule(event):
    if event.get("eventName") != "ModifyImageAttribute" or event.get("errorCode"):
        return False
    group = event.deep_walk(
        "requestParameters", "launchPermission", "add", "items", "group", return_val="first"
    )
    return group == "all"


def title(event):
    image = event.deep_get("requestParameters", "imageId", default="<UNKNOWN>")
    return f"AMI [{image}] made public by [{actor_arn(event)}]"


def alert_context(event):
    return aws_rule_context(event)
