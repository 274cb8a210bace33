"""The SPARQL results JSON our workers write (orjson, kg/adhoc/formats.py) is the engine's, byte for byte, for
any term a store can hold: the same escapes, the same key order, the same compact form."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.adhoc.formats import serialize_solutions

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Any text a literal may hold: every code point but surrogates, which no store holds.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_LITERALS = st.one_of(
    _TEXT.map(ox.Literal),
    st.builds(
        lambda text, tag: ox.Literal(text, language=tag), _TEXT, st.sampled_from(["en", "fr-be", "ar"])
    ),
    st.builds(
        lambda text, name: ox.Literal(text, datatype=ox.NamedNode(XSD + name)),
        _TEXT,
        st.sampled_from(["date", "token", "anyURI"]),
    ),
)
_TERMS = st.one_of(
    _LITERALS,
    st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True).map(ox.BlankNode),
    st.from_regex(r"[a-zA-Z0-9/._~-]{0,12}(\?[a-z0-9=&]{0,6})?(#[a-z0-9]{0,6})?", fullmatch=True).map(
        lambda path: ox.NamedNode(EX + path)
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_TERMS, st.none() | _TERMS), min_size=0, max_size=6))
def test_json_equals_the_engines_writer(
    rows: list[tuple[ox.Literal | ox.NamedNode | ox.BlankNode, object]],
) -> None:
    store = ox.Store()
    for index, (first, second) in enumerate(rows):
        row = ox.NamedNode(f"{EX}row{index:03d}")
        store.add(ox.Quad(row, ox.NamedNode(EX + "a"), first))
        if second is not None:
            store.add(ox.Quad(row, ox.NamedNode(EX + "b"), second))
    query = (
        f"SELECT ?row ?a ?b WHERE {{ ?row <{EX}a> ?a OPTIONAL {{ ?row <{EX}b> ?b }} }} ORDER BY ?row ?a ?b"
    )
    engine = store.query(query)
    assert isinstance(engine, ox.QuerySolutions)
    ours = store.query(query)
    assert isinstance(ours, ox.QuerySolutions)
    body, media_type = serialize_solutions(["row", "a", "b"], [tuple(solution) for solution in ours], "json")
    assert media_type == "application/sparql-results+json"
    assert body == engine.serialize(format=ox.QueryResultsFormat.JSON)
