"""Every claim of the graph against tests/data/claims.tsv, the hedges as read from the article.

The table lists each claim node: its fact, its statement, the article's own hedge for that statement
("-" where the article states it plainly), the part of the article it comes from, and any frequency or
severity. The graph and the table must agree both ways: a claim added without an entry fails, as does
an entry the graph lacks or a hedge that differs. Where the article itself is at hand
(../shared/domain/source-article.txt), each hedge must be words that part of the article uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from article_text import ARTICLE_PARTS, article_parts

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "data" / "claims.tsv"
ONTOLOGY = ROOT / "ontology" / "needling.ttl"
NKG = "https://needling-kg.example.org/kg/"
PREFIXES = {
    "nkg": NKG,
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Entry:
    fact: str
    subject: str
    predicate: str
    object: str
    hedge: str | None
    part: str
    also: frozenset[tuple[str, str]]

    @property
    def statement(self) -> tuple[str, str, str, str]:
        return (self.fact, self.subject, self.predicate, self.object)


def _iri(name: str) -> str:
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


def _object(text: str) -> str:
    """The table's object as the graph's term would read in N-Triples-like form."""
    if text.startswith('"'):
        return str(ox.Literal(text[1 : text.rindex('"')], language="en"))
    if text in ("true", "false"):
        return str(ox.Literal(text, datatype=ox.NamedNode(XSD + "boolean")))
    if re.fullmatch(r"-?\d+", text):
        return str(ox.Literal(text, datatype=ox.NamedNode(XSD + "integer")))
    return str(ox.NamedNode(_iri(text)))


def read_table() -> list[Entry]:
    entries = []
    for number, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        assert len(cells) in (6, 7), f"claims.tsv line {number}: 6 or 7 tab-separated cells, got {len(cells)}"
        fact, subject, predicate, obj, hedge, part = cells[:6]
        also = (
            frozenset(tuple(kv.split("=", 1)) for kv in cells[6].split(";"))
            if len(cells) == 7
            else frozenset()
        )
        entries.append(
            Entry(
                fact,
                str(ox.NamedNode(_iri(subject))),
                str(ox.NamedNode(_iri(predicate))),
                _object(obj),
                None if hedge == "-" else hedge,
                part,
                also,  # type: ignore[arg-type]
            )
        )
    return entries


def read_graph() -> list[Entry]:
    store = ox.Store()
    store.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX nkg: <https://needling-kg.example.org/kg/>
           PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
           PREFIX dcterms: <http://purl.org/dc/terms/>
           SELECT ?claim ?fact ?s ?p ?o ?hedge ?section ?frequency ?severity WHERE {
             ?claim a nkg:Claim ; nkg:fact ?fact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
             OPTIONAL { ?claim nkg:hedge ?hedge }
             OPTIONAL { ?claim dcterms:source ?section }
             OPTIONAL { ?claim nkg:frequency ?frequency }
             OPTIONAL { ?claim nkg:severity ?severity }
           }"""
    )
    entries = []
    for row in rows:
        also = {(name, row[name].value) for name in ("frequency", "severity") if row[name] is not None}
        section = row["section"].value.removeprefix(NKG + "section-") if row["section"] else ""
        entries.append(
            Entry(
                row["fact"].value,
                str(row["s"]),
                str(row["p"]),
                str(row["o"]),
                row["hedge"].value if row["hedge"] is not None else None,
                section,
                frozenset(also),
            )
        )
    return entries


TABLE_ENTRIES = read_table()
GRAPH_ENTRIES = read_graph()


def test_the_table_has_no_statement_twice() -> None:
    seen: set[tuple[str, str, str, str]] = set()
    twice = [e.statement for e in TABLE_ENTRIES if e.statement in seen or seen.add(e.statement)]
    assert not twice, f"claims.tsv lists these twice: {twice}"


def test_every_claim_of_the_graph_is_in_the_table() -> None:
    listed = {e.statement for e in TABLE_ENTRIES}
    missing = sorted(e.statement for e in GRAPH_ENTRIES if e.statement not in listed)
    assert not missing, (
        "claims in the graph with no entry in tests/data/claims.tsv (read the article and add each, "
        f"with its hedge): {missing}"
    )


def test_every_entry_of_the_table_is_a_claim_of_the_graph() -> None:
    claimed = {e.statement for e in GRAPH_ENTRIES}
    missing = sorted(e.statement for e in TABLE_ENTRIES if e.statement not in claimed)
    assert not missing, f"entries of claims.tsv with no claim in the graph: {missing}"


@pytest.mark.parametrize("entry", TABLE_ENTRIES, ids=lambda e: f"{e.fact}-{e.predicate.rsplit('/', 1)[-1]}")
def test_the_graph_keeps_the_articles_hedge(entry: Entry) -> None:
    found = [e for e in GRAPH_ENTRIES if e.statement == entry.statement]
    assert found, f"no claim for {entry.statement}"
    claim = found[0]
    said = f"“{entry.hedge}”" if entry.hedge else "plainly"
    assert claim.hedge == entry.hedge, (
        f"{entry.statement}: the article says it {said}, the graph {claim.hedge!r}"
    )
    assert claim.part == entry.part, f"{entry.statement}: from {entry.part}, the graph cites {claim.part}"
    assert claim.also == entry.also, (
        f"{entry.statement}: qualifiers {sorted(entry.also)} != {sorted(claim.also)}"
    )


def test_every_part_of_the_table_is_a_part_of_the_article() -> None:
    assert {e.part for e in TABLE_ENTRIES} <= set(ARTICLE_PARTS)


@pytest.mark.parametrize("entry", [e for e in TABLE_ENTRIES if e.hedge], ids=lambda e: f"{e.fact}-{e.hedge}")
def test_each_hedge_is_the_articles_own_words_in_that_part(entry: Entry) -> None:
    parts = article_parts()
    if parts is None:
        pytest.skip("the article is not at hand (../shared/domain/source-article.txt)")
    text = " ".join(parts[entry.part].lower().split()).replace("’", "'")
    assert re.search(rf"\b{re.escape(entry.hedge or '')}\b", text), (
        f"{entry.fact}: “{entry.hedge}” is not in {entry.part} of the article"
    )
