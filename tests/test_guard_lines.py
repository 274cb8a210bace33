"""The guard walks a query a line at a time, remembering each line's walk: it lets through only what the
walk over the whole text lets through (and the whole text is walked whenever a line has anything to say)."""

from __future__ import annotations

import random

import pytest

from kg import DEFAULT_QUERIES
from kg.adhoc.form import query_form
from kg.adhoc.guard import (
    GuardedQuery,
    QueryRefused,
    _decode_escapes,
    _inspect,
    _passes_line_by_line,
    _tokenize,
    check_query,
)
from kg.adhoc.lexer import MEMO_LINE_CHARS, text_lines

PIECES = [
    "SERVICE <http://x/> {}", "FROM <g>", "INSERT", "ex:aSERVICE", "sErViCe", "(" * 120, ")" * 120,
    "{", "}", "VALUES ?x { (1) }", "FILTER(?o<'a>' )", "<a(b)>", "!" * 150, "nonsense", "<<", "a", "?x",
    "PREFIX ex: <http://e/>", "# SERVICE in a comment", "'SERVICE'", "\r", " ", ".",
]  # fmt: skip
QUERIES = [path.read_text(encoding="utf-8") for path in sorted(DEFAULT_QUERIES.glob("*.rq"))]


def whole_text_passes(text: str) -> bool:
    try:
        _inspect(text, _tokenize(text))
    except QueryRefused:
        return False
    return True


def lines_of(text: str) -> list[str]:
    lines = text_lines(text)
    assert lines is not None
    return lines


def whole_text_check(text: str) -> GuardedQuery | tuple[str, str]:
    """The guard's verdict as it was before any line was remembered: every token of the whole text."""
    try:
        decoded = _decode_escapes(text)
        tokens = _tokenize(decoded)
        _inspect(decoded, tokens)
        return GuardedQuery(decoded, query_form(decoded, tokens))
    except QueryRefused as exc:
        return exc.code, str(exc)


def guard_verdict(text: str) -> GuardedQuery | tuple[str, str]:
    try:
        return check_query(text, max_length=100_000)
    except QueryRefused as exc:
        return exc.code, str(exc)


FORM_PIECES = [
    "PREFIX", "BASE", "PREFIX:", "<http://e/>", "ex:", "SELECT", "ASK", "DESCRIBE", "CONSTRUCT", "INSERT",
    "{", "WHERE", "?x", "# comment", "PREFIX ex: <http://e/>", "BASE <http://b/>", "PREFIX ex:", "1",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(10))
def test_the_guard_answers_as_the_walk_over_every_token_of_the_whole_text(seed: int) -> None:
    """Whatever the guard says of a text (the form, or the refusal and its message), so does reading every
    token of the whole text, also when only the tokens that decide the form are made."""
    rng = random.Random(seed)
    for _ in range(300):
        lines = rng.choice(QUERIES).split("\n")
        for _ in range(rng.randint(0, 4)):
            i = rng.randrange(min(len(lines), 12))  # mostly near the prologue, where the form is decided
            pieces = rng.choice([PIECES, FORM_PIECES])
            lines.insert(i, " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))))
        text = "\n".join(lines)
        for _ in range(2):  # the second time from the remembered lines and head
            assert guard_verdict(text) == whole_text_check(text), text


@pytest.mark.parametrize("seed", range(20))
def test_what_passes_line_by_line_passes_whole(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        lines = rng.choice(QUERIES).split("\n")
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(lines))
            lines.insert(i, rng.choice(PIECES) + rng.choice(["", " ", "\n"]) + rng.choice(PIECES))
        text = "\n".join(lines)
        try:
            _tokenize(text)
        except QueryRefused:
            continue
        short_lines = all(len(line) <= MEMO_LINE_CHARS for line in lines)
        for _ in range(2):  # the second time from the remembered walks
            if short_lines:
                assert _passes_line_by_line(lines_of(text)) == whole_text_passes(text), text
            elif _passes_line_by_line(lines_of(text)):
                assert whole_text_passes(text), text
