def rule(event):
    if event.get("eventName") == "DescribeInstances":
        raise ValueError("boom on describe")
    return False
