SETTINGS = {}
LIMIT = SETTINGS["limit"]


def rule(event):
    return True
