"""A shared helper module, loaded from a --helpers directory."""


def login_type(event):
    return str(event.deep_get("responseElements", "ConsoleLogin", default="")).lower()
