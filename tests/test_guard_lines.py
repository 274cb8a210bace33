"""The guard walks a query a line at a time, remembering each line's walk: it lets through only what the
walk over the whole text lets through (and the whole text is walked whenever a line has anything to say)."""

from __future__ import annotations

import random

import pytest

from kg import DEFAULT_QUERIES
from kg.adhoc.guard import QueryRefused, _inspect, _passes_line_by_line, _tokenize
from kg.adhoc.lexer import MEMO_LINE_CHARS

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
                assert _passes_line_by_line(text) == whole_text_passes(text), text
            elif _passes_line_by_line(text):
                assert whole_text_passes(text), text
