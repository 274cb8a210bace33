"""Tests for kg.params: typed conversion, refusals that name the parameter, and values bound as terms only."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.catalogue import NamedQuery, Param, without_header
from kg.catalogue.params import (
    MAX_VALUE_LENGTH,
    NKG,
    ParamError,
    bind_params,
    expand_iri,
    to_term,
    with_bindings,
)
from kg.engine import KnowledgeGraph
from kg.terms import XSD, Term

SCIATICA = NKG + "sciatica"


def param(kind: str, *, required: bool = True, default: str | None = None, name: str = "value") -> Param:
    return Param(name=name, type=kind, required=required, default=default)


def query(*params: Param, sparql: str = "SELECT ?x WHERE { ?x ?p ?o }") -> NamedQuery:
    return NamedQuery(name="test_query", title="T", description="D", sparql=sparql, params=params)


def refusal(kind: str, value: object, name: str = "value") -> ParamError:
    with pytest.raises(ParamError) as caught:
        to_term(param(kind, name=name), value)
    assert caught.value.param == name
    assert f"'{name}'" in str(caught.value)
    return caught.value


# --- each type converts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [SCIATICA, "nkg:sciatica", "sciatica", "  sciatica  "],
)
def test_iri_forms_all_mean_the_same_resource(value: str) -> None:
    assert to_term(param("iri"), value) == Term("iri", SCIATICA)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("schema:MedicalCondition", "http://schema.org/MedicalCondition"),
        ("skos:Concept", "http://www.w3.org/2004/02/skos/core#Concept"),
        ("mesh:D012585", "http://id.nlm.nih.gov/mesh/D012585"),
        ("https://example.org/a/b?c=d#e", "https://example.org/a/b?c=d#e"),
        ("urn:isbn:0451450523", "urn:isbn:0451450523"),
        ("plantar-fasciitis", NKG + "plantar-fasciitis"),
        ("claim-f29-1", NKG + "claim-f29-1"),
    ],
)
def test_iri_prefixes_and_full_iris(value: str, expected: str) -> None:
    assert to_term(param("iri"), value).value == expected


@pytest.mark.parametrize(
    ("value", "lexical"),
    [("60", "60"), ("+7", "7"), ("-3", "-3"), ("007", "7"), (60, "60"), (0, "0")],
)
def test_integer_converts(value: object, lexical: str) -> None:
    assert to_term(param("integer"), value) == Term("literal", lexical, XSD + "integer")


@pytest.mark.parametrize(
    ("value", "lexical"),
    [
        ("59.5", "59.5"),
        ("60", "60"),
        ("60.0", "60"),
        ("5.", "5"),
        ("100", "100"),
        (".5", "0.5"),
        ("-1.25", "-1.25"),
        (59.5, "59.5"),
    ],
)
def test_decimal_converts(value: object, lexical: str) -> None:
    term = to_term(param("decimal"), value)
    assert term == Term("literal", lexical, XSD + "decimal")
    assert term.n3() == f'"{lexical}"^^<{XSD}decimal>'


@pytest.mark.parametrize(
    ("value", "lexical"),
    [
        ("true", "true"),
        ("TRUE", "true"),
        ("1", "true"),
        (True, "true"),
        ("false", "false"),
        ("0", "false"),
        (False, "false"),
    ],
)
def test_boolean_converts(value: object, lexical: str) -> None:
    assert to_term(param("boolean"), value) == Term("literal", lexical, XSD + "boolean")


def test_string_converts_to_a_plain_literal() -> None:
    term = to_term(param("string"), "needl")
    assert term == Term("literal", "needl", XSD + "string")
    assert term.n3() == '"needl"'


def test_the_converted_values_reach_the_result(graph: KnowledgeGraph) -> None:
    result = graph.run("treatments_under_price", {"max_price": "59.5", "condition": "nkg:sciatica"})
    assert result.params == {"max_price": 59.5, "condition": SCIATICA}


# --- each type refuses bad values, naming the parameter ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("decimal", "abc"),
        ("decimal", "1e5"),
        ("decimal", "1,5"),
        ("decimal", "NaN"),
        ("decimal", "inf"),
        ("integer", "1.5"),
        ("integer", "abc"),
        ("integer", "٣"),  # a digit, but not an ASCII one
        ("boolean", "maybe"),
        ("boolean", "yes"),
        ("iri", "back pain"),
        ("iri", "http://example.org/a b"),
        ("iri", "http://example.org/<a>"),
        ("iri", 'http://example.org/"a"'),
        ("iri", "<http://example.org/a>"),
        ("iri", "x> . ?s ?p ?o } #"),
        ("iri", "unknownprefix:thing"),
        ("iri", "javascript:alert(1)"),
        ("iri", "file:///etc/passwd"),
        ("iri", "sciatica\\u0022"),
    ],
)
def test_bad_values_are_refused(kind: str, value: str) -> None:
    refusal(kind, value, name="amount")


@pytest.mark.parametrize("kind", ["iri", "string", "integer", "decimal", "boolean"])
def test_a_value_longer_than_the_limit_is_refused(kind: str) -> None:
    error = refusal(kind, "7" * 600)
    assert str(MAX_VALUE_LENGTH) in error.reason


def test_a_value_at_the_limit_is_accepted() -> None:
    assert to_term(param("string"), "a" * MAX_VALUE_LENGTH).value == "a" * MAX_VALUE_LENGTH


@pytest.mark.parametrize("value", ["a\x00b", "a\nb", "a\rb", "a\x1bb", "a\x07b"])
@pytest.mark.parametrize("kind", ["string", "iri"])
def test_control_characters_are_refused(kind: str, value: str) -> None:
    refusal(kind, value)


def test_a_tab_in_a_string_is_kept() -> None:
    assert to_term(param("string"), "a\tb").value == "a\tb"


# --- unknown and missing parameters --------------------------------------------------------------------


def test_an_unknown_parameter_is_refused_by_name() -> None:
    with pytest.raises(ParamError) as caught:
        bind_params(query(param("string", name="text")), {"text": "a", "colour": "blue"})
    assert caught.value.param == "colour"
    assert "text" in caught.value.reason  # says what the query does take


def test_a_query_without_parameters_refuses_any() -> None:
    with pytest.raises(ParamError, match="none"):
        bind_params(query(), {"x": "1"})


@pytest.mark.parametrize("given", [{}, {"condition": ""}, {"condition": "   "}, {"condition": None}])
def test_a_missing_required_parameter_is_refused_by_name(given: dict[str, object]) -> None:
    with pytest.raises(ParamError) as caught:
        bind_params(query(param("iri", name="condition")), given)
    assert caught.value.param == "condition"
    assert "required" in caught.value.reason


def test_optional_parameters_take_their_default_or_stay_unbound() -> None:
    named = query(
        param("iri", name="type", required=False, default="nkg:Modality"),
        param("iri", name="modality", required=False),
    )
    assert bind_params(named, {}) == {"type": Term("iri", NKG + "Modality")}
    assert bind_params(named, {"type": "nkg:Technique"}) == {"type": Term("iri", NKG + "Technique")}


def test_real_query_refusals_name_the_parameter(graph: KnowledgeGraph) -> None:
    for name, given, bad in [
        ("treatments_under_price", {"max_price": "abc"}, "max_price"),
        ("treatments_for_condition", {}, "condition"),
        ("treatments_for_condition", {"condition": "sciatica", "price": "1"}, "price"),
        ("label_search", {"text": "x" * 600}, "text"),
    ]:
        with pytest.raises(ParamError) as caught:
            graph.run(name, given)
        assert caught.value.param == bad


def test_expand_iri_names_the_parameter() -> None:
    with pytest.raises(ParamError, match="'condition'"):
        expand_iri("condition", "not an iri")


# --- with_bindings -------------------------------------------------------------------------------------

HEADED = """# title: T
# description: a header that says WHERE { ?x ?y ?z } in passing
# example: WHERE {
PREFIX ex: <http://example.org/>
SELECT ?x WHERE {
  ?x ex:p ?y .
}
"""


def test_values_go_after_the_real_where_not_the_one_in_the_header() -> None:
    bound = with_bindings(HEADED, {"y": Term.literal("a")})
    header, _, body = bound.partition("PREFIX")
    assert "VALUES" not in header
    assert 'SELECT ?x WHERE { VALUES (?y) { ("a") }' in body
    ox.Store().query(bound)  # still a valid query


def test_values_block_binds_several_terms_in_order() -> None:
    bound = with_bindings(
        "SELECT ?a ?b ?c WHERE { }",
        {
            "a": Term.iri("http://example.org/a"),
            "b": Term.literal("59.5", XSD + "decimal"),
            "c": Term.literal("x"),
        },
    )
    rows = list(ox.Store().query(bound))
    assert [(r["a"].value, r["b"].value, r["c"].value) for r in rows] == [
        ("http://example.org/a", "59.5", "x")
    ]


def test_no_bindings_leave_the_query_as_it_is() -> None:
    assert with_bindings(HEADED, {}) == HEADED


def test_a_query_with_no_where_group_is_refused() -> None:
    with pytest.raises(ValueError, match="WHERE"):
        with_bindings("SELECT ?x { ?x ?p ?o }", {"x": Term.literal("a")})


def test_values_go_into_the_outer_where_of_a_query_with_a_subquery(graph: KnowledgeGraph) -> None:
    sparql = graph.run("cheapest_modality").sparql
    assert sparql == without_header(graph.query("cheapest_modality").sparql)  # no params: untouched
    bound = with_bindings(
        graph.query("cheapest_modality").sparql, {"modality": Term.iri(NKG + "acupuncture")}
    )
    assert bound.index("VALUES") < bound.index("SELECT (MIN")


def test_a_comment_after_the_prefixes_does_not_take_the_values() -> None:
    sparql = (
        "# title: T\nPREFIX ex: <http://example.org/>\n# the WHERE { } below holds the pattern\n"
        "SELECT ?x WHERE { ?x ?p ?o }"
    )
    store = ox.Store()
    store.add(
        ox.Quad(ox.NamedNode("http://example.org/b"), ox.NamedNode("http://example.org/p"), ox.Literal("c"))
    )
    bound = with_bindings(sparql, {"x": Term.iri("http://example.org/a")})
    assert list(store.query(bound)) == []  # only ex:a may be ?x, and ex:a has no triples


@pytest.mark.parametrize(
    "value",
    [
        'x" . ?s ?p ?o } #',
        "x\\u0022 . ?s",
        "x\\U00000022 }",
        'a\\"b',
        "'''",
        '"""',
        "é 中 \u2028",
        "tab\there",
    ],
)
def test_a_string_is_bound_exactly_as_given(value: str) -> None:
    """Whatever the text, the query sees one literal with exactly that text: a term, never query text."""
    bound = with_bindings("SELECT ?text WHERE { }", {"text": Term.literal(value)})
    assert [row["text"].value for row in ox.Store().query(bound)] == [value]


# --- injection: every query, every string or iri parameter ---------------------------------------------

ATTACKS = ['x" . ?s ?p ?o } #', "x> . ?s ?p ?o } #", "x\\u0022 . ?s ?p ?o } #", 'x\u0022) || true || ("']


def injectable(graph: KnowledgeGraph) -> list[tuple[str, str, str]]:
    return [
        (named.name, p.name, p.type)
        for named in graph.catalogue
        for p in named.params
        if p.type in ("string", "iri")
    ]


def test_there_are_parameters_to_attack(graph: KnowledgeGraph) -> None:
    kinds = {kind for _, _, kind in injectable(graph)}
    assert kinds == {"string", "iri"}


@pytest.mark.parametrize("attack", ATTACKS)
def test_injection_through_every_parameter_is_harmless(graph: KnowledgeGraph, attack: str) -> None:
    for name, target, kind in injectable(graph):
        named = graph.query(name)
        base = {p.name: p.example for p in named.params if p.example and p.name != target}
        if kind == "iri":
            with pytest.raises(ParamError) as caught:
                bind_params(named, {**base, target: attack})
            assert caught.value.param == target, (name, target)
            continue
        harmless = answer_size(graph, named, {**base, target: "x"})
        assert answer_size(graph, named, {**base, target: attack}) <= harmless, (name, target, attack)
        assert bind_params(named, {**base, target: attack})[target] == Term.literal(attack)


def answer_size(graph: KnowledgeGraph, named: NamedQuery, params: dict[str, object]) -> int:
    """Rows of a SELECT, triples of a CONSTRUCT: what an attack would try to make bigger."""
    if named.form == "SELECT":
        return len(graph.run(named.name, params).rows)
    ntriples = graph.construct(named.name, params, "application/n-triples").body
    return len(list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)))
