"""The label index: text searches narrowed by it answer exactly what the store's own scan answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import graph_of
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import DEFAULT_QUERIES
from kg.catalogue import CatalogueError, load_catalogue
from kg.engine import KnowledgeGraph
from kg.engine.labels import LabelIndex
from kg.store import term_from_oxigraph
from kg.terms import Term
from kg.validation.catalogue_checks import check_catalogue

SEARCHING = ("label_search", "lexicon")


@pytest.fixture(scope="module")
def scanning(graph: KnowledgeGraph) -> KnowledgeGraph:
    """The same store and queries with every `# search:` line dropped: the store scans every label."""
    return KnowledgeGraph(graph.store, graph.catalogue.without_search())


@pytest.fixture(scope="module")
def label_words(graph: KnowledgeGraph) -> list[str]:
    rows = graph.store.select(
        "SELECT DISTINCT ?l WHERE { { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } UNION "
        "{ ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?l } UNION "
        "{ ?s <http://www.w3.org/2004/02/skos/core#hiddenLabel> ?l } }"
    ).rows
    return sorted({row["l"].value for row in rows})


def same_answer(graph: KnowledgeGraph, scanning: KnowledgeGraph, name: str, text: str) -> None:
    fast, slow = graph.run(name, {"text": text}), scanning.run(name, {"text": text})
    assert fast.rows == slow.rows, f"{name}({text!r}) differs with the label index"


def test_the_searching_queries_declare_their_search(graph: KnowledgeGraph) -> None:
    assert graph.query("label_search").search == ("matched", "text")
    assert graph.query("lexicon").search == ("label", "text")


def test_a_word_search_is_narrowed_to_the_labels_that_hold_it(graph: KnowledgeGraph) -> None:
    result = graph.run("label_search", {"text": "NEEDL"})
    assert "VALUES ?matched" in result.sparql
    matched = {row["matched"].value for row in result.rows}
    assert "dry needling" in {m.lower() for m in matched}
    assert all("needl" in m.lower() for m in matched)


@pytest.mark.parametrize("name", SEARCHING)
def test_every_piece_of_every_label_finds_what_the_scan_finds(
    graph: KnowledgeGraph, scanning: KnowledgeGraph, label_words: list[str], name: str
) -> None:
    pieces = set()
    for label in label_words:
        lower = label.lower()
        pieces.update(
            lower[i : i + size] for size in (3, 7) for i in range(0, max(1, len(lower) - size + 1), 5)
        )
        pieces.add(label.upper())
    pieces.discard("")
    for piece in sorted(pieces):
        if piece.strip():
            same_answer(graph, scanning, name, piece)


@pytest.mark.parametrize(
    "text",
    ["a", "e", "dry needling", "  trigger   point ", "Ü", "İ", "ΣΑΣ", "pain relief", "zzzz", "needle\t"],
)
def test_short_spaced_and_unusual_text_finds_what_the_scan_finds(
    graph: KnowledgeGraph, scanning: KnowledgeGraph, text: str
) -> None:
    for name in SEARCHING:
        same_answer(graph, scanning, name, text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="acdeilnoprstuy -ÉéİıΣς'", min_size=1, max_size=9))
def test_any_text_finds_what_the_scan_finds(
    graph: KnowledgeGraph, scanning: KnowledgeGraph, text: str
) -> None:
    if text.strip():
        same_answer(graph, scanning, "label_search", text)


def test_too_many_labels_leave_the_scan_to_the_store() -> None:
    index = LabelIndex.from_terms(Term.literal(f"clinic {n}", lang="en") for n in range(50))
    assert index.containing("clinic", limit=49) is None
    assert len(index.containing("clinic", limit=50) or []) == 50
    assert index.containing("clinic 4") == [
        '"clinic 4"@en',
        '"clinic 40"@en',
        *[f'"clinic 4{n}"@en' for n in range(1, 10)],
    ]


def test_labels_with_quotes_and_nul_go_into_the_query_as_one_term() -> None:
    odd = [Term.literal('say "hi"\\\nthen\x00go', lang="en"), Term.iri("http://example.org/Go")]
    candidates = LabelIndex.from_terms(odd).containing("GO")
    assert candidates is not None
    solutions = ox.Store().query(f"SELECT ?x WHERE {{ VALUES ?x {{ {' '.join(candidates)} }} }}")
    assert [term_from_oxigraph(solution["x"]) for solution in solutions] == odd


def test_an_edited_graph_is_searched_by_its_own_index(graph_copy: Path) -> None:
    before = graph_of(graph_copy / "needling.ttl", graph_copy / "queries")
    assert before.run("label_search", {"text": "filiform"}).rows == ()
    with (graph_copy / "needling.ttl").open("a", encoding="utf-8") as handle:
        handle.write(
            "\n<https://needling-kg.example.org/kg/dry-needling> "
            '<http://www.w3.org/2004/02/skos/core#altLabel> "filiform needling"@en .\n'
        )
    after = graph_of(graph_copy / "needling.ttl", graph_copy / "queries")
    found = after.run("label_search", {"text": "filiform"}).rows
    assert {row["entity"].value for row in found} == {"https://needling-kg.example.org/kg/dry-needling"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("# search: matched", "must read 'VAR contains PARAM'"),
        ("# search: matched contains nothing", "not a string param"),
        ("# search: unused contains text", "does not use"),
        ("# search: matched contains text\n# page: limit offset", "param of the query"),
    ],
)
def test_a_bad_search_line_names_the_file(tmp_path: Path, line: str, message: str) -> None:
    folder = tmp_path / "queries"
    shutil.copytree(DEFAULT_QUERIES, folder)
    path = folder / "label_search.rq"
    path.write_text(path.read_text().replace("# search: matched contains text", line))
    with pytest.raises(CatalogueError, match=message) as raised:
        load_catalogue(folder)
    assert "label_search.rq" in str(raised.value)


def test_a_searched_query_with_a_sub_select_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    shutil.copytree(DEFAULT_QUERIES, folder)
    path = folder / "label_search.rq"
    text = path.read_text()
    path.write_text(
        text.replace(
            "  ?entity skos:prefLabel ?label .\n",
            "  { SELECT ?entity ?label WHERE { ?entity skos:prefLabel ?label } }\n",
        )
    )
    with pytest.raises(CatalogueError, match="one WHERE group and no sub-select"):
        load_catalogue(folder)


def test_validate_catches_a_search_line_on_a_variable_that_is_not_a_label(graph_copy: Path) -> None:
    path = graph_copy / "queries" / "label_search.rq"
    path.write_text(
        path.read_text().replace("# search: matched contains text", "# search: label contains text")
    )
    # a resource whose synonym holds the example's text ("needl") and whose name does not
    with (graph_copy / "needling.ttl").open("a", encoding="utf-8") as ontology:
        ontology.write('\nnkg:bruising skos:altLabel "needle bruise"@en .\n')
    problems, _ = check_catalogue(graph_copy / "needling.ttl", graph_copy / "queries")
    assert [p.where for p in problems] == ["queries/label_search.rq"]
    assert "differently with the label index" in problems[0].what
