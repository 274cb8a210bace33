"""Where in a query's text a refusal or a parse error points: (line, column), both counted from 1."""

from __future__ import annotations

import re
from typing import NamedTuple

# The guard words every position as `where` does ("line 3, column 7"); pyoxigraph's parser starts its
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


def where(text: str, pos: int) -> str:
    """How a guard message names a place in the text: "line 3, column 7"."""
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"line {line}, column {column}"


def bad_char_message(text: str, pos: int) -> str:
    char = text[pos]
    place = where(text, pos)
    if char in "'\"":
        return (
            f"the string starting at {place} is not closed, spans a line or has an invalid backslash escape"
        )
    if char == "\\":
        return f"a backslash at {place} is outside any string (escapes are only allowed inside strings)"
    return f"the character {char!r} (U+{ord(char):04X}) at {place} is not allowed here"


def ambiguous_iri_message(text: str, start: int, end: int) -> str:
    return (
        f"{text[start:end]!r} at {where(text, start)} could be read either as an IRI or as the operator "
        "'<' followed by more query text; put a space after '<' if you mean less-than, or avoid "
        "' # ( ) [ ] inside this IRI"
    )
