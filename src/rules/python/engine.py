"""iota's Python rule worker.

Started by the Deno process as a long-lived child. Requests arrive on stdin
and responses leave on the original stdout, both as frames of a 4-byte
big-endian length followed by UTF-8 JSON. Before any rule is imported the
worker keeps private duplicates of fds 0 and 1 for the protocol, points
fd 1 at stderr and fd 0 at /dev/null, so nothing a rule prints or reads can
disturb the frames. The first frame sent is
`{"type": "ready", "pid": ..., "python": "3.x.y"}`; the worker exits 0 when
stdin closes.

Requests (`op`): `load`, `eval`, `test`, `ping`; see iota_engine.worker.
"""

import gc
import io
import os
import platform
import signal
import sys


def _isolate_stdio():
    """(request fd, response fd): private copies of stdin/stdout; fd 0 → /dev/null, fd 1 → stderr."""
    request_fd = os.dup(0)
    response_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, encoding="utf-8")  # pylint: disable=consider-using-with
    sys.stdout = io.TextIOWrapper(
        open(1, "wb", buffering=0, closefd=False), encoding="utf-8", errors="replace", line_buffering=True
    )
    return request_fd, response_fd


def main() -> int:
    # Ctrl-C in a terminal reaches the whole process group; iota decides when workers stop
    # (it closes their stdin), so a keyboard interrupt must not kill a batch mid-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    request_fd, response_fd = _isolate_stdio()
    sys.dont_write_bytecode = True
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)

    # pylint: disable=import-outside-toplevel
    import json

    from iota_engine.capture import OutputCapture
    from iota_engine.protocol import Channel, FrameError
    from iota_engine.worker import Worker

    real_stderr = sys.stderr
    capture = OutputCapture(real_stderr)
    sys.stdout = sys.stderr = capture
    worker = Worker(capture)
    channel = Channel(request_fd, response_fd)
    gc.set_threshold(50_000, 20, 20)

    try:
        channel.write({"type": "ready", "pid": os.getpid(), "python": platform.python_version()})
        while True:
            try:
                payload = channel.read()
            except FrameError as exc:
                real_stderr.write(f"iota worker: {exc}\n")
                return 1
            if payload is None:
                return 0
            try:
                response = worker.handle(json.loads(payload))
            except (Exception, SystemExit) as exc:  # pylint: disable=broad-except
                capture.key = None
                response = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            try:
                channel.write(response)
            except (TypeError, ValueError, RecursionError) as exc:
                channel.write({"ok": False, "error": f"Cannot encode response: {exc}"})
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
