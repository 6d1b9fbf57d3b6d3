"""A rule with a module-level function that tests mock."""

from panther_detection_helpers.caching import increment_counter


def is_admin(name):
    return name == "root"


def rule(event):
    count = increment_counter("logins:" + str(event.get("user")))
    print("count", count)
    return is_admin(event.get("user")) and count == 1


def title(event):
    if event.get("breakTitle"):
        return event["noSuchField"]
    return f"Admin {event.get('user')}"


def alert_context(event):
    return {"user": event.get("user"), "admin": is_admin(event.get("user"))}
