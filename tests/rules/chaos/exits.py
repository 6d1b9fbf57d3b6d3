import os


def rule(event):
    if event.get("eventName") == "ListBuckets":
        os._exit(1)
    return False
