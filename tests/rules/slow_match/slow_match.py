import time


def rule(event):
    # Slow enough that a test can stop the run while objects are still in work.
    time.sleep(0.2)
    return True


def dedup(event):
    return event.get("eventName", "none")
