from community_aws_helpers import actor_arn, aws_rule_context

MIN_LENGTH = 14
MAX_AGE_DAYS = 90


def _weaknesses(event):
    if event.get("eventName") == "DeleteAccountPasswordPolicy":
        return ["password policy deleted"]
    params = event.get("requestParameters") or {}
    found = []
    length = params.get("minimumPasswordLength")
    if length is not None and length < MIN_LENGTH:
        found.append(f"minimum length {length}")
    for flag in (
        "requireSymbols",
        "requireNumbers",
        "requireUppercaseCharacters",
        "requireLowercaseCharacters",
    ):
        if params.get(flag) is False:
            found.append(f"{flag} off")
    age = params.get("maxPasswordAge")
    if age is None or age > MAX_AGE_DAYS:
        found.append("no rotation" if age is None else f"rotation every {age} days")
    return found


def rule(event):
    if event.get("eventName") not in ("UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"):
        return False
    return not event.get("errorCode") and bool(_weaknesses(event))


def title(event):
    return (
        f"Account password policy weakened by [{actor_arn(event)}]: {'; '.join(_weaknesses(event))}"
    )


def alert_context(event):
    context = aws_rule_context(event)
    context["weaknesses"] = _weaknesses(event)
    return context
