import time


def rule(event):
    if event.get("eventName") == "SlowCall":
        time.sleep(0.5)
    return False
