from iota_aws_helpers import (
    account_id,
    actor_name,
    aws_context,
    is_aws_internal,
    is_automation,
    is_failed,
    principal_key,
    request,
)

KEY_PUSH_EVENTS = {"SendSSHPublicKey", "SendSerialConsoleSSHPublicKey", "EnableSerialConsoleAccess"}
SOURCES = {"ec2-instance-connect.amazonaws.com", "ec2.amazonaws.com"}


def rule(event):
    if event.get("eventName") not in KEY_PUSH_EVENTS:
        return False
    return (
        event.get("eventSource") in SOURCES and not is_failed(event) and not is_aws_internal(event)
    )


def _instance(event):
    return str(request(event, "instanceId", default="<account setting>"))


def title(event):
    name = event.get("eventName")
    if name == "EnableSerialConsoleAccess":
        return (
            f"EC2 serial console access enabled for account [{account_id(event)}] in "
            f"[{event.get('awsRegion')}] by [{actor_name(event)}]"
        )
    channel = (
        "serial console" if name == "SendSerialConsoleSSHPublicKey" else "EC2 Instance Connect"
    )
    return (
        f"[{actor_name(event)}] pushed an SSH key to [{_instance(event)}] through {channel} "
        f"as OS user [{request(event, 'instanceOSUser', default='<unknown>')}]"
    )


def severity(event):
    name = event.get("eventName")
    if name == "SendSerialConsoleSSHPublicKey":
        # The serial console bypasses network controls and security groups.
        return "HIGH"
    if name == "EnableSerialConsoleAccess":
        return "MEDIUM"
    return "INFO" if is_automation(event) else "DEFAULT"


def dedup(event):
    return principal_key(event)


def alert_context(event):
    return aws_context(
        event,
        instance=_instance(event),
        os_user=request(event, "instanceOSUser"),
        serial_port=request(event, "serialPort"),
    )
