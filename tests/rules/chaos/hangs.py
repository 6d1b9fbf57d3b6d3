import time


def rule(event):
    # Hangs forever on one kind of event only.
    if event.get("eventName") == "GetCallerIdentity":
        while True:
            time.sleep(1)
    return False
