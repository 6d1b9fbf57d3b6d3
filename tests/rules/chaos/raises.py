def rule(event):
    if event.get("eventName") == "DescribeInstances":
        raise RuntimeError("cannot handle DescribeInstances")
    return False
