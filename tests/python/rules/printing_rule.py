import os
import sys


def rule(event):
    print("print from rule", event.get("n"))
    sys.stdout.write("stdout write\n")
    sys.stderr.write("stderr write\n")
    os.write(1, b"fd1 write\n")
    if event.get("big"):
        print("x" * 10000)
    return False
