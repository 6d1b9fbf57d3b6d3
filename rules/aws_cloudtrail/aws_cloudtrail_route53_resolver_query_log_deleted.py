from iota_aws_helpers import account_id, actor_arn, actor_name, aws_context, is_failed, request

QUERY_LOG_EVENTS = {"DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig"}
RESOLVER_SOURCE = "route53resolver.amazonaws.com"


def rule(event):
    if event.get("eventName") not in QUERY_LOG_EVENTS:
        return False
    return event.get("eventSource") == RESOLVER_SOURCE and not is_failed(event)


def _config(event):
    return str(request(event, "resolverQueryLogConfigId", default="<unknown config>"))


def title(event):
    action = "deleted" if event.get("eventName").startswith("Delete") else "detached from a VPC"
    return (
        f"Route 53 Resolver query logging [{_config(event)}] {action} by [{actor_name(event)}] "
        f"in account [{account_id(event)}]"
    )


def dedup(event):
    return actor_arn(event)


def alert_context(event):
    return aws_context(event, query_log_config=_config(event), vpc=request(event, "resourceId"))
