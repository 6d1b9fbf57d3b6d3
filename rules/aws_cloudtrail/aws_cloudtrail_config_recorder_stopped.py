from iota_aws_helpers import (
    account_id,
    actor_arn,
    actor_name,
    aws_context,
    is_aws_service_caller,
    is_failed,
    text,
)

CONFIG_STOP_EVENTS = {
    "StopConfigurationRecorder",
    "DeleteConfigurationRecorder",
    "DeleteDeliveryChannel",
}
CONFIG_SOURCE = "config.amazonaws.com"
ACTIONS = {
    "StopConfigurationRecorder": ("recorder", "stopped"),
    "DeleteConfigurationRecorder": ("recorder", "deleted"),
    "DeleteDeliveryChannel": ("delivery channel", "deleted"),
}


def rule(event):
    if event.get("eventName") not in CONFIG_STOP_EVENTS:
        return False
    if event.get("eventSource") != CONFIG_SOURCE or is_failed(event):
        return False
    return not is_aws_service_caller(event)


def _target(event):
    return (
        text(event.deep_get("requestParameters", "configurationRecorderName"))
        or text(event.deep_get("requestParameters", "deliveryChannelName"))
        or "<unknown>"
    )


def title(event):
    thing, action = ACTIONS.get(str(event.get("eventName")), ("resource", "changed"))
    return (
        f"AWS Config {thing} [{_target(event)}] {action} in account [{account_id(event)}] region "
        f"[{event.get('awsRegion', '<unknown>')}] by [{actor_name(event)}]"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(event, config_resource=_target(event))
