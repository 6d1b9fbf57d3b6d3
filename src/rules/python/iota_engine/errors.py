"""Exceptions raised by rule code, turned into error records."""

import linecache
import os

MESSAGE_LIMIT_CHARS = 4000


def _frames(exc):
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame.f_code, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def exception_location(exc, rule_path):
    """(file name, line, function, code) of the last frame inside `rule_path`, else of the last frame.

    SyntaxErrors point at the offending line of the file. Returns None when
    the exception carries no location.
    """
    if isinstance(exc, SyntaxError) and exc.filename:
        code = (exc.text or "").strip()
        return os.path.basename(exc.filename), exc.lineno or 0, "<module>", code
    frames = _frames(exc)
    if not frames:
        return None
    chosen = frames[-1]
    if rule_path:
        for frame in reversed(frames):
            if frame[0].co_filename == rule_path:
                chosen = frame
                break
    code, lineno = chosen
    filename = code.co_filename
    return (
        os.path.basename(filename),
        lineno,
        code.co_name,
        linecache.getline(filename, lineno).strip(),
    )


def format_location(location, with_code: bool = True):
    """`file:line in func: code` (or without `: code`), or None."""
    if location is None:
        return None
    filename, lineno, func, code = location
    text = f"{filename}:{lineno} in {func}"
    return f"{text}: {code}" if with_code and code else text


def exception_message(exc) -> str:
    try:
        message = str(exc)
    except Exception:  # pylint: disable=broad-except
        message = repr(exc)
    if len(message) > MESSAGE_LIMIT_CHARS:
        message = message[:MESSAGE_LIMIT_CHARS] + "…"
    return message


def error_record(exc, rule_path, type_prefix: str = "") -> dict:
    """`{"type", "message", "traceback"}` for an exception raised by rule code."""
    return {
        "type": type_prefix + type(exc).__name__,
        "message": exception_message(exc),
        "traceback": format_location(exception_location(exc, rule_path)),
    }


def bad_return_record(func: str, value, expected: str, type_prefix: str = "") -> dict:
    """Error record for a function that returned the wrong type."""
    return {
        "type": type_prefix + "bad_return",
        "message": f"{func}() must return {expected}, got {type(value).__name__}",
        "traceback": None,
    }


def describe_error(error: dict, with_code: bool = False) -> str:
    """One-line text of an error record, e.g. `KeyError: 'x' (x.py:12 in rule)`.

    With `with_code`, the failing source line follows the location, as the
    tail of a traceback would show it.
    """
    text = error["message"]
    kind = error["type"].split(":")[-1]
    if kind != "bad_return":
        text = f"{kind}: {text}"
    location = error.get("traceback")
    if location:
        text += f" ({location if with_code else location.split(': ', 1)[0]})"
    return text
