from panther_detection_helpers.caching import get_counter, increment_counter


def rule(event):
    return increment_counter("seen:" + event.get("user", "")) >= 2


def alert_context(event):
    return {"count": get_counter("seen:" + event.get("user", ""))}
