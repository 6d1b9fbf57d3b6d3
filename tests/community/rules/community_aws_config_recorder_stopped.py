from community_aws_helpers import actor_arn, aws_rule_context, is_service_principal

CONFIG_TAMPERING = {
    "StopConfigurationRecorder",
    "DeleteConfigurationRecorder",
    "DeleteDeliveryChannel",
}


def rule(event):
    return (
        event.get("eventSource") == "config.amazonaws.com"
        and event.get("eventName") in CONFIG_TAMPERING
        and not event.get("errorCode")
        and not is_service_principal(event)
    )


def title(event):
    return (
        f"AWS Config {event.get('eventName')} by [{actor_arn(event)}] in [{event.get('awsRegion')}]"
    )


def runbook(event):
    if event.get("eventName") == "DeleteDeliveryChannel":
        return "Recreate the delivery channel, then restart the recorder."
    return "Restart the configuration recorder (aws configservice start-configuration-recorder)."


def alert_context(event):
    return aws_rule_context(event)
