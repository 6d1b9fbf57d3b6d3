print("loading import_print")


def rule(event):
    return False
