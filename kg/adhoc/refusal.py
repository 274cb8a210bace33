"""The guard's one error: a query that may not run, with a code a program reads and a message a person does."""

from __future__ import annotations

from kg.errors import NeedlingError


class QueryRefused(NeedlingError, ValueError):
    """The query may not run.

    `.code` is a short machine code ("too_long", "too_deep", "escape", "syntax", "update", "service",
    "dataset", "form"); `str(exc)` is a clear one-line message for a person.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code)
