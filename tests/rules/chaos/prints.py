import os
import sys


def rule(event):
    print("rule output on stdout", event.get("eventName"))
    sys.stdout.write("more stdout\n")
    sys.stderr.write("and stderr\n")
    os.write(1, b"raw fd 1 bytes\n")
    return False
