def rule(event)
    return True
