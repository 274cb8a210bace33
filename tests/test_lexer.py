"""The guard's lexer reads a text line by line, remembering lines it has read: the tokens, and the first
bad one, are those of reading the whole text at once."""

from __future__ import annotations

import random

import pytest

from kg import DEFAULT_QUERIES
from kg.adhoc.lexer import _scan, tokenize

PIECES = [
    "SELECT", "?x", "ex:a.b", "<http://x/>", "'a'", '"b"', "'''", '"""', "# note", "\r", "\n", "\n", " ",
    "{", "}", "(", ")", "LIMIT 5", "1.5e3", ".", "_:b", "@en", "\\", "é", "\x0b", "\u2028", "wordex:x",
    "word.x", "<a\nb>", "'unclosed", "&", "PREFIX p: <http://p/>",
]  # fmt: skip
QUERIES = [path.read_text(encoding="utf-8") for path in sorted(DEFAULT_QUERIES.glob("*.rq"))]


@pytest.mark.parametrize("seed", range(20))
def test_line_by_line_reads_what_the_whole_text_reads(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        lines = rng.choice(QUERIES).split("\n")
        for _ in range(rng.randint(0, 4)):
            i = rng.randrange(len(lines))
            lines[i] = lines[i][: rng.randint(0, len(lines[i]))] + rng.choice(PIECES) + lines[i]
        text = ("\r\n" if rng.random() < 0.2 else "\n").join(lines)
        assert tokenize(text) == _scan(text)
        assert tokenize(text) == _scan(text)  # again, from the remembered lines


def test_a_long_line_and_a_long_string() -> None:
    for text in ("SELECT * { ?s ?p " + "?o " * 300 + "}\n" * 3, "SELECT * { ?s ?p '''a\nSERVICE''' }"):
        assert tokenize(text) == _scan(text)
