def rule(event):
    return True


def title(event):
    return "Only a title"
