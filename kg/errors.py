"""One error model: every failure a user can cause has a code, and one table maps each code to an HTTP
status and a command-line exit code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """How a code ends a request (`status`) and a command (`exit`)."""

    status: int
    exit: int


# Exit codes: 0 done, 1 done but the answer is "no" (a question not answered, a graph that fails
# validation), 2 the input was wrong, 3 the service could not do it now, 4 the store could not be reached,
# 5 the program failed.
ERRORS: dict[str, Outcome] = {
    # the request or the query is wrong
    "bad_request": Outcome(400, 2),
    "no_query": Outcome(400, 2),
    "syntax": Outcome(400, 2),
    "escape": Outcome(400, 2),
    "update": Outcome(400, 2),
    "service": Outcome(400, 2),
    "dataset": Outcome(400, 2),
    "form": Outcome(400, 2),
    "too_long": Outcome(400, 2),
    "too_deep": Outcome(400, 2),
    "query_error": Outcome(400, 2),
    "too_costly": Outcome(400, 2),
    "worker_died": Outcome(400, 2),
    "invalid_parameter": Outcome(422, 2),
    "invalid_resource_name": Outcome(404, 2),
    "no_such_resource": Outcome(404, 2),
    "unknown_query": Outcome(404, 2),
    "not_found": Outcome(404, 2),
    "forbidden_origin": Outcome(403, 2),
    "method_not_allowed": Outcome(405, 2),
    "not_acceptable": Outcome(406, 2),
    "too_large": Outcome(413, 2),
    "unsupported_media_type": Outcome(415, 2),
    "uri_too_long": Outcome(414, 2),
    "header_too_large": Outcome(431, 2),
    "too_many_headers": Outcome(431, 2),
    "request_timeout": Outcome(408, 2),
    # the service cannot do it now
    "timeout": Outcome(503, 3),
    "overloaded": Outcome(503, 3),
    "unavailable": Outcome(503, 3),
    "pool_closed": Outcome(503, 3),
    # the store, or the files the service is built from
    "store_error": Outcome(502, 4),
    "invalid_catalogue": Outcome(500, 2),
    "invalid_graph": Outcome(500, 2),
    "internal_error": Outcome(500, 5),
    "server_error": Outcome(500, 5),
}


class NeedlingError(Exception):
    """The base of every failure with a code; `str(exc)` is one line meant for a person."""

    code: str = "internal_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            if code not in ERRORS:
                raise ValueError(f"no such error code: {code!r}")
            self.code = code

    @property
    def outcome(self) -> Outcome:
        return ERRORS[self.code]


def outcome_of(exc: BaseException) -> Outcome:
    """How any exception ends a request or a command: by its code, else as a failure of the program."""
    return exc.outcome if isinstance(exc, NeedlingError) else ERRORS["internal_error"]


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
    if isinstance(exc, (NeedlingError, ValueError, LookupError)):
        return text or type(exc).__name__
    return f"unexpected {type(exc).__name__}: {text}"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else ""
