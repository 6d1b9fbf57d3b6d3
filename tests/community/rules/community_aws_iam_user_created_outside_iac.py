from community_aws_helpers import actor_arn, aws_rule_context
from community_base_helpers import config_values, pattern_match_list


def rule(event):
    if event.get("eventName") != "CreateUser" or event.get("errorCode"):
        return False
    return not pattern_match_list(event.udm("user_agent"), config_values("iac_user_agents"))


def title(event):
    return (
        f"IAM user [{event.udm('user')}] created by [{event.udm('actor_user')}] "
        "outside infrastructure as code"
    )


def alert_context(event):
    context = aws_rule_context(event)
    context["createdUser"] = event.udm("user")
    context["creator"] = actor_arn(event)
    return context
