from iota_aws_helpers import (
    account_id,
    actor_name,
    as_list,
    aws_context,
    is_aws_internal,
    is_automation,
    is_failed,
    principal_key,
    request,
)

COMMAND_EVENTS = {"SendCommand"}
SSM_SOURCE = "ssm.amazonaws.com"
# Documents that run arbitrary commands given by the caller.
SHELL_DOCUMENTS = {
    "AWS-RunShellScript",
    "AWS-RunPowerShellScript",
    "AWS-RunRemoteScript",
    "AWS-RunSaltState",
    "AWS-RunAnsiblePlaybook",
}


def rule(event):
    if event.get("eventName") not in COMMAND_EVENTS:
        return False
    # State Manager and Patch Manager run as the SSM service and are ignored.
    return (
        event.get("eventSource") == SSM_SOURCE
        and not is_failed(event)
        and not is_aws_internal(event)
    )


def _document(event):
    return str(request(event, "documentName", default="<unknown document>"))


def _targets(event):
    instances = [str(value) for value in as_list(request(event, "instanceIds"))]
    if instances:
        return instances
    return [
        f"{t.get('key')}={t.get('values')}"
        for t in as_list(request(event, "targets"))
        if hasattr(t, "get")
    ]


def title(event):
    return (
        f"[{actor_name(event)}] ran SSM document [{_document(event)}] on "
        f"{len(_targets(event))} target(s) in account [{account_id(event)}]"
    )


def severity(event):
    if is_automation(event):
        return "INFO"
    return "DEFAULT" if _document(event) in SHELL_DOCUMENTS else "LOW"


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(
        event,
        document=_document(event),
        targets=_targets(event),
        command_id=event.deep_get("responseElements", "command", "commandId"),
    )
