def rule(event):
    return event.udm("source_ip") is not None


def alert_context(event):
    return {
        "source_ip": event.udm("source_ip"),
        "actor": event.udm("actor_user"),
        "region_upper": event.udm("region_upper"),
        "unmapped": event.udm("eventName"),
        "missing": event.udm("nothing_here", default="dflt"),
    }
