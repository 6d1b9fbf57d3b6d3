from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_failed,
    outside_principals,
    request,
    text,
)

RESOURCE_POLICY_EVENTS = {
    "PutResourcePolicy",
    "SetRepositoryPolicy",
    "SetQueueAttributes",
    "SetTopicAttributes",
    "PutKeyPolicy",
}
# Where each service puts the resource name and the policy document.
SERVICES = {
    "secretsmanager.amazonaws.com": ("Secrets Manager secret", "secretId", "resourcePolicy"),
    "ecr.amazonaws.com": ("ECR repository", "repositoryName", "policyText"),
    "sqs.amazonaws.com": ("SQS queue", "queueUrl", None),
    "sns.amazonaws.com": ("SNS topic", "topicArn", None),
    "kms.amazonaws.com": ("KMS key", "keyId", "policy"),
}


def rule(event):
    if event.get("eventName") not in RESOURCE_POLICY_EVENTS:
        return False
    if event.get("eventSource") not in SERVICES or is_failed(event) or is_aws_internal(event):
        return False
    return bool(_outsiders(event))


def _document(event):
    _, _, key = SERVICES.get(event.get("eventSource"), (None, None, None))
    if key:
        return request(event, key)
    # SQS and SNS set the policy as an attribute.
    if text(request(event, "attributeName")) == "Policy":
        return request(event, "attributeValue")
    return request(event, "attributes", "Policy")


def _outsiders(event):
    return outside_principals(_document(event), account_id(event))


def _resource(event):
    kind, key, _ = SERVICES.get(event.get("eventSource"), ("resource", None, None))
    return kind, str(request(event, key, default="<unknown>")) if key else "<unknown>"


def title(event):
    kind, resource = _resource(event)
    who = "anyone" if "*" in _outsiders(event) else ", ".join(_outsiders(event))
    return f"{kind} [{resource}] policy now allows {who} (by [{actor_name(event)}])"


def severity(event):
    return "HIGH" if "*" in _outsiders(event) else "DEFAULT"


def dedup(event):
    return f"{account_id(event)}:{_resource(event)[1]}"


def alert_context(event):
    kind, resource = _resource(event)
    return aws_context(
        event, resource_type=kind, resource=resource, outside_principals=_outsiders(event)
    )
