import iota_missing_pkg.parser


def rule(event):
    return True
