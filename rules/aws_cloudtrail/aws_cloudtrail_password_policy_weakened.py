from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, request

PASSWORD_POLICY_EVENTS = {"UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"}
IAM_SOURCE = "iam.amazonaws.com"
MIN_LENGTH = 14
MIN_REUSE_PREVENTION = 5
MAX_AGE_DAYS = 90
REQUIRED_CLASSES = (
    "requireUppercaseCharacters",
    "requireLowercaseCharacters",
    "requireNumbers",
    "requireSymbols",
)


def rule(event):
    if event.get("eventName") not in PASSWORD_POLICY_EVENTS:
        return False
    if event.get("eventSource") != IAM_SOURCE or is_failed(event):
        return False
    return bool(_weaknesses(event))


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _weaknesses(event):
    if event.get("eventName") == "DeleteAccountPasswordPolicy":
        return ["password policy deleted"]
    found = []
    length = _number(request(event, "minimumPasswordLength"))
    if length is None or length < MIN_LENGTH:
        found.append(f"minimum length {length if length is not None else 'default (8)'}")
    missing = [name for name in REQUIRED_CLASSES if request(event, name) is not True]
    if len(missing) > 1:
        found.append("character classes not required: " + ", ".join(missing))
    reuse = _number(request(event, "passwordReusePrevention"))
    if reuse is None or reuse < MIN_REUSE_PREVENTION:
        found.append("password reuse allowed")
    age = _number(request(event, "maxPasswordAge"))
    if age is None or age > MAX_AGE_DAYS * 4:
        found.append("passwords never or rarely expire")
    # Hardened policies often relax one item; only several weaknesses together alert.
    return found if len(found) >= 2 else []


def title(event):
    return (
        f"IAM password policy weakened in account [{account_id(event)}] by "
        f"[{actor_name(event)}]: {'; '.join(_weaknesses(event))}"
    )


def dedup(event):
    return account_id(event)


def alert_context(event):
    return aws_context(event, weaknesses=_weaknesses(event), policy=event.get("requestParameters"))
