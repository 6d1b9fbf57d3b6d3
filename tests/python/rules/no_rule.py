RULE = True


def title(event):
    return "never"
