"""api.query_string reads a query string exactly as Starlette does (parse_qsl), only faster."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote

import pytest

from api.query_string import query_items

PIECES = [
    "a", "=", "&", "+", "%", "%2", "%20", "%3D", "%26", "%C3", "%A9", "%c3%a9", "%E2%82", "%AC", "%FF", "%zz",
    "é", "\x80", "\xff", "x", " ", "%F0%9F%98", "%80%80", "query", "%%41", ";", "\\", "\\x41", "%5C", "\\%41",
    "\\n", "%5Cu0041", "\\u00e9", "%00", "%0A", "%ED%A0%80",
]  # fmt: skip


def starlette_reads(raw: bytes) -> list[tuple[str, str]]:
    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


@pytest.mark.parametrize("seed", range(40))
def test_generated_strings_read_as_starlette_reads_them(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30)))
        raw = text.encode("latin-1", "replace") if rng.random() < 0.5 else text.encode("utf-8")
        if rng.random() < 0.5:
            raw = raw.decode("latin-1").encode("ascii", "replace")
        assert query_items(raw) == starlette_reads(raw), raw


def test_a_quoted_sparql_query_and_its_format() -> None:
    query = 'PREFIX s: <http://schema.org/> SELECT * WHERE { ?x s:name "Zoë + € \\\\ \\u00e9" } LIMIT 3'
    raw = f"query={quote(query, safe='')}&format=json&&empty=&bare".encode()
    assert query_items(raw) == starlette_reads(raw)
    assert query_items(raw)[0] == ("query", query)


def test_an_empty_query_string() -> None:
    assert query_items(b"") == []
