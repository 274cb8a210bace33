"""Where in a query's text a refusal or a parse error points: (line, column), both counted from 1."""

from __future__ import annotations

import re
from typing import NamedTuple

# The guard words every position as `_where` does ("line 3, column 7"); pyoxigraph's parser starts its
# SyntaxError with "error at 3:7:". Both count columns in characters from 1. The first match is the one
# the message is about (a guard message names one place; the engine's names one too).
_GUARD = re.compile(r"\bline (\d+), column (\d+)\b")
_ENGINE = re.compile(r"^error at (\d+):(\d+):")


class Position(NamedTuple):
    line: int
    column: int


def position_in(message: str) -> Position | None:
    """The place a query error message names, or None when it names none (a timeout, a row cap)."""
    match = _ENGINE.match(message) or _GUARD.search(message)
    if match is None:
        return None
    return Position(int(match.group(1)), int(match.group(2)))
