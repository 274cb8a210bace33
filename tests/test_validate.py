"""Tests for kg.validate: the real graph against the real shapes, and copies broken one way at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from kg import DEFAULT_ONTOLOGY, DEFAULT_SHAPES
from kg.validation import Problem, ValidationReport, validate_files, validate_graph

NKG = Namespace("https://needling-kg.example.org/kg/")
SCHEMA = Namespace("http://schema.org/")

Breakage = Callable[[Graph], None]


@pytest.fixture(scope="module")
def real_graph() -> Graph:
    return Graph().parse(DEFAULT_ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(DEFAULT_SHAPES, format="turtle")


@pytest.fixture(scope="module")
def clean_report(real_graph: Graph, shapes: Graph) -> ValidationReport:
    return validate_graph(_clean_copy(real_graph), shapes)


def _clean_copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def _broken(real_graph: Graph, shapes: Graph, breakage: Breakage) -> ValidationReport:
    copy = _clean_copy(real_graph)
    breakage(copy)
    return validate_graph(copy, shapes)


def _set(graph: Graph, subject: URIRef, predicate: URIRef, value: Literal | URIRef) -> None:
    graph.set((subject, predicate, value))


# --- the real graph ------------------------------------------------------------------------------


def test_real_graph_conforms(real_graph: Graph, shapes: Graph) -> None:
    report = validate_graph(real_graph, shapes)
    assert report.ok, report.render()


def test_clean_copy_of_real_graph_renders_ok(clean_report: ValidationReport, real_graph: Graph) -> None:
    assert clean_report.ok, clean_report.render()
    assert clean_report.problems == ()
    assert clean_report.shapes >= 6
    assert clean_report.triples == len(real_graph)
    assert clean_report.render() == (
        f"OK: {clean_report.triples} triples conform to {clean_report.shapes} shapes"
    )


def test_validate_files_on_real_files() -> None:
    report = validate_files(DEFAULT_ONTOLOGY, DEFAULT_SHAPES)
    assert report.triples > 1000
    assert all(p.where.startswith("nkg:") for p in report.problems), report.render()


def test_validation_leaves_input_graph_untouched(real_graph: Graph, shapes: Graph) -> None:
    copy = _clean_copy(real_graph)
    before = len(copy)
    validate_graph(copy, shapes)
    assert len(copy) == before


# --- one break per rule ----------------------------------------------------------------------------


def _drop_medicine_system(g: Graph) -> None:
    g.remove((NKG.acupuncture, SCHEMA.medicineSystem, None))


def _min_above_max(g: Graph) -> None:
    _set(g, NKG["acupuncture-price"], SCHEMA.minPrice, Literal(200))
    _set(g, NKG["acupuncture-price"], SCHEMA.maxPrice, Literal(150))


def _lower_case_currency(g: Graph) -> None:
    _set(g, NKG["acupuncture-price"], SCHEMA.priceCurrency, Literal("usd"))


def _claim_without_section(g: Graph) -> None:
    g.remove((NKG["claim-f01-1"], DCTERMS.source, None))


def _second_english_label(g: Graph) -> None:
    g.add((NKG.sciatica, SKOS.prefLabel, Literal("Sciatic neuralgia", lang="en")))


def _synonym_repeats_name(g: Graph) -> None:
    g.add((NKG.sciatica, SKOS.altLabel, Literal("  SCIATICA ", lang="en")))


def _bad_fact_id(g: Graph) -> None:
    _set(g, NKG["claim-f01-1"], NKG.fact, Literal("F1"))


def _bad_hedge(g: Graph) -> None:
    _set(g, NKG["claim-f01-1"], NKG.hedge, Literal("perhaps"))


def _origin_not_a_medicine_system(g: Graph) -> None:
    _set(g, NKG["dry-needling"], SCHEMA.medicineSystem, NKG["physical-therapy"])


def _no_offer(g: Graph) -> None:
    g.remove((NKG["dry-needling"], SCHEMA.offers, None))


def _price_as_text(g: Graph) -> None:
    _set(g, NKG["dry-needling-price"], SCHEMA.maxPrice, Literal("150"))


def _claim_from_a_section_not_declared(g: Graph) -> None:
    _set(g, NKG["claim-f01-1"], DCTERMS.source, NKG["section-none"])


def _claim_from_no_article(g: Graph) -> None:
    g.remove((NKG["claim-f01-1"], PROV.wasDerivedFrom, None))


def _claim_with_two_subjects(g: Graph) -> None:
    g.add((NKG["claim-f01-1"], RDF.subject, NKG.acupuncture))


def _label_without_language(g: Graph) -> None:
    _set(g, NKG.qi, SKOS.prefLabel, Literal("Qi"))


def _typed_node_without_label(g: Graph) -> None:
    g.add((NKG["cupping"], RDF.type, NKG.RelatedPractice))


def _heading_the_article_lacks(g: Graph) -> None:
    g.add((NKG["section-sciatica-paragraphs"], DCTERMS.title, Literal("Sciatica", lang="en")))


def _section_of_nothing(g: Graph) -> None:
    g.remove((NKG["section-sciatica-paragraphs"], DCTERMS.isPartOf, None))


def _condition_without_definition_or_note(g: Graph) -> None:
    g.remove((NKG.sciatica, SKOS.scopeNote, None))


def _definition_with_no_source(g: Graph) -> None:
    g.add((NKG.sciatica, SKOS.definition, Literal("Pain down the leg.", lang="en")))


def _fact_with_no_claim(g: Graph) -> None:
    g.add((NKG["dry-needling"], NKG.benefit, NKG["pain-relief"]))


def _hedge_the_article_never_uses(g: Graph) -> None:
    _set(g, NKG["claim-f11-3"], NKG.hedge, Literal("rarely"))


def _frequency_the_article_never_gives(g: Graph) -> None:
    g.add((NKG["claim-f11-1"], NKG.frequency, Literal("common")))


def _new_therapy_with_nothing(g: Graph) -> None:
    g.add((NKG["electro-needling"], RDF.type, SCHEMA.MedicalTherapy))
    g.add((NKG["electro-needling"], SKOS.prefLabel, Literal("Electro-needling", lang="en")))


BREAKAGES = [
    # (how the copy is broken, the node the report must name, words it must use)
    pytest.param(
        _drop_medicine_system, "nkg:acupuncture", ["origin", "schema:medicineSystem"], id="no-origin"
    ),
    pytest.param(
        _min_above_max, "nkg:acupuncture-price", ["no higher than the maximum price", "200"], id="min>max"
    ),
    pytest.param(_min_above_max, "nkg:acupuncture", ["usable session price"], id="min>max-at-modality"),
    pytest.param(_lower_case_currency, "nkg:acupuncture-price", ["currency", '"usd"'], id="currency"),
    pytest.param(_claim_without_section, "nkg:claim-f01-1", ["section", "dcterms:source"], id="no-section"),
    pytest.param(_second_english_label, "nkg:sciatica", ["exactly one English preferred label"], id="two-en"),
    pytest.param(
        _synonym_repeats_name, "nkg:sciatica", ["repeats the preferred label", "SCIATICA"], id="syn"
    ),
    pytest.param(_bad_fact_id, "nkg:claim-f01-1", ["fact identifier", '"F1"'], id="fact-id"),
    pytest.param(_bad_hedge, "nkg:claim-f01-1", ["hedge", '"perhaps"'], id="hedge"),
    pytest.param(
        _origin_not_a_medicine_system, "nkg:dry-needling", ["nkg:physical-therapy"], id="origin-class"
    ),
    pytest.param(_no_offer, "nkg:dry-needling", ["at least one offer"], id="no-offer"),
    pytest.param(_price_as_text, "nkg:dry-needling-price", ["must be a number", '"150"'], id="price-text"),
    pytest.param(
        _claim_from_a_section_not_declared, "nkg:claim-f01-1", ["nkg:section-none"], id="section-iri"
    ),
    pytest.param(
        _claim_from_no_article, "nkg:claim-f01-1", ["article", "prov:wasDerivedFrom"], id="no-article"
    ),
    pytest.param(_claim_with_two_subjects, "nkg:claim-f01-1", ["exactly one subject"], id="two-subjects"),
    pytest.param(_label_without_language, "nkg:qi", ["language tag"], id="untagged-label"),
    pytest.param(_typed_node_without_label, "nkg:cupping", ["English preferred label"], id="no-label"),
    pytest.param(
        _heading_the_article_lacks,
        "nkg:section-sciatica-paragraphs",
        ["four headings", "dcterms:title", '"Sciatica"@en'],
        id="heading-not-in-article",
    ),
    pytest.param(
        _section_of_nothing, "nkg:section-sciatica-paragraphs", ["belong to an article"], id="no-article-part"
    ),
    pytest.param(
        _condition_without_definition_or_note, "nkg:sciatica", ["definition", "scopeNote"], id="no-definition"
    ),
    pytest.param(
        _definition_with_no_source,
        "nkg:sciatica",
        ["skos:definition", "no claim node", "Pain down the leg."],
        id="definition-unsourced",
    ),
    pytest.param(
        _fact_with_no_claim,
        "nkg:dry-needling",
        ["nkg:benefit nkg:pain-relief", "no claim node"],
        id="fact-unsourced",
    ),
    pytest.param(
        _hedge_the_article_never_uses, "nkg:claim-f11-3", ["hedge", '"rarely"'], id="hedge-not-the-articles"
    ),
    pytest.param(
        _frequency_the_article_never_gives,
        "nkg:claim-f11-1",
        ["frequency", '"common"'],
        id="frequency-common",
    ),
    pytest.param(_new_therapy_with_nothing, "nkg:electro-needling", ["origin"], id="new-therapy"),
]


@pytest.mark.parametrize(("breakage", "node", "words"), BREAKAGES)
def test_each_break_is_reported_at_its_node_in_words(
    real_graph: Graph, shapes: Graph, breakage: Breakage, node: str, words: list[str]
) -> None:
    report = _broken(real_graph, shapes, breakage)
    assert not report.ok
    at_node = [p.what for p in report.problems if p.where == node]
    assert at_node, f"nothing reported at {node}:\n{report.render()}"
    assert any(all(word in what for word in words) for what in at_node), report.render()
    text = report.render()
    assert text.startswith("FAILED:")
    assert f"\n{node}\n" in f"{text}\n"


def test_break_reports_path_and_value(real_graph: Graph, shapes: Graph) -> None:
    report = _broken(real_graph, shapes, _min_above_max)
    assert (
        Problem(
            "nkg:acupuncture-price",
            "The minimum price must be a number no higher than the maximum price (schema:minPrice = 200).",
        )
        in report.problems
    )
    at_modality = [p.what for p in report.problems if p.where == "nkg:acupuncture"]
    assert at_modality and "schema:offers/schema:priceSpecification" in at_modality[0]


def test_render_groups_problems_under_their_node(real_graph: Graph, shapes: Graph) -> None:
    def two_on_one_claim(g: Graph) -> None:
        _bad_fact_id(g)
        _bad_hedge(g)

    lines = _broken(real_graph, shapes, two_on_one_claim).render().splitlines()
    assert lines[0] == "FAILED: 2 problems in 1 place"
    assert lines[1] == "nkg:claim-f01-1"
    assert all(line.startswith("  - ") for line in lines[2:]) and len(lines) == 4


def test_combined_treatment_is_not_held_to_the_modality_rules(real_graph: Graph, shapes: Graph) -> None:
    def typed_as_therapy(g: Graph) -> None:
        g.add((NKG["combined-needling-for-sciatica"], RDF.type, SCHEMA.MedicalTherapy))

    assert _broken(real_graph, shapes, typed_as_therapy).ok


def test_numeric_prices_of_any_numeric_type_are_accepted(real_graph: Graph, shapes: Graph) -> None:
    def decimal_prices(g: Graph) -> None:
        for bound, value in ((SCHEMA.minPrice, "49.50"), (SCHEMA.maxPrice, "150.0")):
            price = Literal(value, datatype=XSD.decimal if bound == SCHEMA.minPrice else XSD.double)
            _set(g, NKG["dry-needling-price"], bound, price)
            for claim in g.subjects(RDF.predicate, bound):  # the claims follow the statement they source
                if g.value(claim, RDF.subject) == NKG["dry-needling-price"]:
                    _set(g, claim, RDF.object, price)

    assert _broken(real_graph, shapes, decimal_prices).ok


def test_labels_in_other_languages_are_allowed(real_graph: Graph, shapes: Graph) -> None:
    def german_label(g: Graph) -> None:
        g.add((NKG.acupuncture, SKOS.prefLabel, Literal("Akupunktur", lang="de")))

    assert _broken(real_graph, shapes, german_label).ok


# --- files -------------------------------------------------------------------------------------------


def test_turtle_syntax_error_is_one_problem_naming_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "needling.ttl"
    text = DEFAULT_ONTOLOGY.read_text(encoding="utf-8").splitlines()
    line = next(i for i, row in enumerate(text) if row.startswith("nkg:acupuncture a "))
    text[line] = text[line].replace(" ;", "", 1) + " ]"
    broken.write_text("\n".join(text) + "\n", encoding="utf-8")

    report = validate_files(broken, DEFAULT_SHAPES)

    assert not report.ok
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert problem.where == str(broken)
    assert "syntax error on line" in problem.what
    assert str(broken) in report.render()


def test_syntax_error_line_number_is_the_broken_line(tmp_path: Path) -> None:
    broken = tmp_path / "shapes.ttl"
    broken.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "no end ;\nex:f ex:g ex:h .\n',
        encoding="utf-8",
    )
    report = validate_files(DEFAULT_ONTOLOGY, broken)
    assert report.problems == (
        Problem(str(broken), "Turtle syntax error on line 3: newline found in string literal."),
    )


def test_missing_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.ttl"
    report = validate_files(missing, DEFAULT_SHAPES)
    assert [p.where for p in report.problems] == [str(missing)]
    assert "could not be read" in report.render()
