def rule(event):
    return True


def title(event):
    return __name__
