"""One readable line for each failure a user can cause, shared by the command line and the HTTP layer."""

from __future__ import annotations


def describe(exc: BaseException) -> str:
    """What went wrong, in one line, without a traceback."""
    if isinstance(exc, SyntaxError):
        return f"SPARQL syntax error: {_first_line(str(exc.msg or exc))}"
    if isinstance(exc, RecursionError):
        return "the query is nested too deeply to be parsed"
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    text = _first_line(str(exc))
    if isinstance(exc, (ValueError, LookupError)) or type(exc).__module__.startswith("kg."):
        return text or type(exc).__name__
    return f"unexpected {type(exc).__name__}: {text}"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else ""
