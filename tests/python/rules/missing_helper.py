from panther_iota_absent_helpers import is_admin  # noqa: F401


def rule(event):
    return True
