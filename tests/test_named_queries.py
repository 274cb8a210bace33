"""Every named query on the real graph, asserting what a person would read: labels, prices, hedges, sections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from kg.catalogue.params import NKG
from kg.engine import KnowledgeGraph, UnknownQuery

SCHEMA = "http://schema.org/"
ASPECTS = (
    "origin",
    "approach",
    "target",
    "technique",
    "practitioner",
    "cost",
    "benefit",
    "risk",
    "condition",
)

Row = dict[str, object]
Rows = Callable[..., list[Row]]


@pytest.fixture
def rows(graph: KnowledgeGraph) -> Rows:
    """Run a named query and give its rows as plain values, the way the JSON API shows them."""

    def run(name: str, **params: object) -> list[Row]:
        return graph.run(name, params).plain_rows()

    return run


def labels(found: list[Row], column: str) -> list[object]:
    return [row.get(column) for row in found]


def by(found: list[Row], column: str) -> dict[object, Row]:
    return {row[column]: row for row in found}


# --- treatments and prices -----------------------------------------------------------------------------


def test_treatments_for_sciatica_with_their_cost(rows: Rows) -> None:
    found = rows("treatments_for_condition", condition="sciatica")
    shown = [(r["therapyLabel"], r["minPrice"], r["maxPrice"], r["currency"], r["unit"]) for r in found]
    assert shown == [("Dry needling", 50, 150, "USD", "session"), ("Acupuncture", 70, 150, "USD", "session")]
    assert {r["sections"] for r in found} == {"the paragraphs on sciatica"}
    assert {r["article"] for r in found} == {"Dry Needling vs Acupuncture"}
    # each hedge on its own statement: the treatment's, and the price's
    assert by(found, "therapyLabel")["Dry needling"]["hedge"] == "can be"
    assert by(found, "therapyLabel")["Acupuncture"]["hedge"] == "can also offer"
    assert by(found, "therapyLabel")["Acupuncture"]["costHedge"] == "averages around"
    assert "costHedge" not in by(found, "therapyLabel")["Dry needling"]


@pytest.mark.parametrize("condition", ["sciatica", "nkg:sciatica", NKG + "sciatica"])
def test_the_condition_may_be_named_three_ways(rows: Rows, condition: str) -> None:
    assert labels(rows("treatments_for_condition", condition=condition), "therapyLabel") == [
        "Dry needling",
        "Acupuncture",
    ]


def test_plantar_fasciitis_is_treated_only_by_dry_needling_often(rows: Rows) -> None:
    found = rows("treatments_for_condition", condition="plantar-fasciitis")
    assert labels(found, "therapyLabel") == ["Dry needling"]
    assert found[0]["hedge"] == "often considered"
    assert found[0]["sections"] == "the “Plantar Fasciitis” section"
    assert (found[0]["minPrice"], found[0]["maxPrice"]) == (50, 150)


def test_back_pain_is_treated_by_both(rows: Rows) -> None:
    found = rows("treatments_for_condition", condition="back-pain")
    assert labels(found, "therapyLabel") == ["Dry needling", "Acupuncture"]
    assert {r["sections"] for r in found} == {"the “Back Pain” section"}
    assert all("hedge" not in r for r in found), "the article states both plainly for back pain"


def test_a_condition_the_source_never_names_has_no_treatment(rows: Rows) -> None:
    assert rows("treatments_for_condition", condition="migraine") == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"max_price": "60"}, ["Dry needling"]),
        ({"max_price": "60", "condition": "sciatica"}, ["Dry needling"]),
        ({"max_price": "40"}, []),
        ({"max_price": "75", "condition": "back-pain"}, ["Dry needling", "Acupuncture"]),
        ({"max_price": "75", "condition": "plantar-fasciitis"}, ["Dry needling"]),
        ({"max_price": "1000"}, ["Dry needling", "Acupuncture"]),
        # "can cost less than X" is minPrice < X: a range that starts at X does not count
        ({"max_price": "50"}, []),
        ({"max_price": "50.01"}, ["Dry needling"]),
        ({"max_price": "70"}, ["Dry needling"]),
        ({"max_price": "70.5"}, ["Dry needling", "Acupuncture"]),
        ({"max_price": "1000", "condition": "migraine"}, []),
    ],
)
def test_treatments_under_a_price(rows: Rows, params: dict[str, str], expected: list[str]) -> None:
    found = rows("treatments_under_price", **params)
    assert labels(found, "modalityLabel") == expected
    assert all(r["minPrice"] < float(params["max_price"]) for r in found)


def test_cheapest_modality_is_dry_needling(rows: Rows) -> None:
    found = rows("cheapest_modality")
    assert [(r["modalityLabel"], r["minPrice"], r["maxPrice"], r["currency"]) for r in found] == [
        ("Dry needling", 50, 150, "USD")
    ]


def test_cost_of_every_modality_and_of_one(rows: Rows) -> None:
    every = rows("cost_of_modality")
    assert [(r["modalityLabel"], r["minPrice"], r["maxPrice"], r["currency"], r["unit"]) for r in every] == [
        ("Dry needling", 50, 150, "USD", "session"),
        ("Acupuncture", 70, 150, "USD", "session"),
    ]
    one = rows("cost_of_modality", modality="acupuncture")
    assert [(r["modalityLabel"], r["minPrice"], r["maxPrice"]) for r in one] == [("Acupuncture", 70, 150)]
    assert one[0]["sections"] == "the paragraph on acupuncture"
    assert one[0]["costHedge"] == "averages around"
    # the article gives dry needling's range plainly: no "about"
    assert "costHedge" not in by(every, "modalityLabel")["Dry needling"]


def test_cost_factors(rows: Rows) -> None:
    expected = {"Location", "Number of sessions needed", "Practitioner expertise"}
    assert set(labels(rows("cost_factors", modality="acupuncture"), "factorLabel")) == expected
    assert set(labels(rows("cost_factors", modality="dry-needling"), "factorLabel")) == expected
    assert len(rows("cost_factors")) == 6


# --- what each modality is ----------------------------------------------------------------------------


def test_origin(rows: Rows) -> None:
    found = rows("origin_of_modality", modality="acupuncture")
    assert [(r["modalityLabel"], r["originLabel"], r["origin"]) for r in found] == [
        ("Acupuncture", "Traditional Chinese Medicine", SCHEMA + "TraditionalChinese")
    ]
    every = by(rows("origin_of_modality"), "modalityLabel")
    assert every["Dry needling"]["origin"] == SCHEMA + "WesternConventional"
    assert every["Dry needling"]["originLabel"] == "Western conventional medicine"


def test_risks_with_the_rare_infection(rows: Rows) -> None:
    found = by(rows("risks_of_modality", modality="acupuncture"), "riskLabel")
    assert set(found) == {"Bruising", "Soreness", "Infection"}
    assert found["Infection"]["hedge"] == "in rare instances"
    assert found["Infection"]["frequency"] == "rare"
    # the article gives no frequency for bruising or soreness: "potential" risks, "minor" for acupuncture
    assert "frequency" not in found["Bruising"]
    assert (found["Bruising"]["hedge"], found["Bruising"]["severity"]) == ("potential", "minor")
    both = rows("risks_of_modality")
    assert {(r["modalityLabel"], r["hedge"]) for r in both if r["riskLabel"] == "Infection"} == {
        ("Acupuncture", "in rare instances"),
        ("Dry needling", "in rare cases"),
    }
    assert all("severity" not in r for r in both if r["modalityLabel"] == "Dry needling")


def test_benefits_with_their_hedges(rows: Rows) -> None:
    dry = by(rows("benefits_of_modality", modality="dry-needling"), "benefitLabel")
    assert {"Improved flexibility", "Improved range of motion"} <= set(dry)
    assert "Pain relief" not in dry, "relieving pain is an aim of both, not a benefit the article states"
    assert dry["Improved flexibility"]["hedge"] == "potential"
    acu = by(rows("benefits_of_modality", modality="acupuncture"), "benefitLabel")
    assert {"Stress reduction", "Relaxation", "Mental clarity", "Pain management"} <= set(acu)
    assert acu["Mental clarity"]["hedge"] == "often report"
    assert "hedge" not in acu["Stress reduction"]
    assert set(labels(rows("benefits_of_modality"), "modalityLabel")) == {"Dry needling", "Acupuncture"}


def test_practitioners_of_dry_needling_must_be_licensed(rows: Rows) -> None:
    found = rows("practitioners_of_modality", modality="dry-needling")
    assert set(labels(found, "practitionerLabel")) == {
        "Licensed physical therapist",
        "Licensed chiropractor",
        "Other licensed healthcare professional",
    }
    assert all(r["licenseRequired"] is True for r in found)
    assert labels(rows("practitioners_of_modality", modality="acupuncture"), "practitionerLabel") == [
        "Acupuncturist"
    ]


def test_techniques_and_what_they_aim_at(rows: Rows) -> None:
    found = by(rows("techniques_of_modality", modality="dry-needling"), "techniqueLabel")
    assert found["Superficial dry needling"]["targetLabel"] == "Skin"
    assert found["Deep dry needling"]["targetLabel"] == "Deeper muscle layers"
    assert all(r["definition"] for r in found.values())
    assert rows("techniques_of_modality", modality="acupuncture") == []  # the source names none


def test_targets(rows: Rows) -> None:
    acupuncture = by(rows("targets_of_modality", modality="acupuncture"), "itemLabel")
    assert set(acupuncture) == {"Acupuncture points", "Meridians", "Qi"}
    assert acupuncture["Qi"]["hedge"] == "aims to"
    assert "Trigger points" in labels(rows("targets_of_modality", modality="dry-needling"), "itemLabel")


def test_mechanisms(rows: Rows) -> None:
    acupuncture = [
        r
        for r in rows("mechanisms_of_modality", modality="acupuncture")
        if r["relation"] == "works by" and r["subjectLabel"] == "Acupuncture"
    ]
    assert labels(acupuncture, "itemLabel") == ["Rebalancing the body's energy"]
    assert acupuncture[0]["hedge"] == "aims to"
    dry = [
        r
        for r in rows("mechanisms_of_modality", modality="dry-needling")
        if r["subjectLabel"] == "Dry needling"
    ]
    assert {r["itemLabel"] for r in dry if r["relation"] == "works by"} == {
        "Improving blood flow",
        "Releasing muscle tension",
    }
    assert {r["itemLabel"] for r in dry if r["relation"] == "targets"} >= {"Trigger points", "Tight muscles"}


def test_mechanisms_for_a_condition_are_those_of_the_modality_applied_to_it(rows: Rows) -> None:
    """With a condition, the statements are the applied modality's ("dry needling for back pain induces a
    local twitch response"), each with its own hedge; a modality the source does not apply to the
    condition has none."""
    back = rows("mechanisms_of_modality", modality="dry-needling", condition="back-pain")
    assert {r["subjectLabel"] for r in back} == {"Dry needling for back pain"}
    works = {r["itemLabel"]: r.get("hedge") for r in back if r["relation"] == "works by"}
    assert "Local twitch response" in works
    assert works["Breaking the pain cycle"] == "helps to"
    assert rows("mechanisms_of_modality", modality="acupuncture", condition="plantar-fasciitis") == []
    applied = {r["subjectLabel"] for r in rows("mechanisms_of_modality", modality="acupuncture")}
    assert applied == {"Acupuncture", "Acupuncture for back pain", "Acupuncture for sciatica"}


def test_conditions_of_acupuncture_leave_out_plantar_fasciitis(rows: Rows) -> None:
    found = by(rows("conditions_of_modality", modality="acupuncture"), "conditionLabel")
    qi = "Qi imbalance (as Traditional Chinese Medicine views it)"
    assert set(found) == {"Back pain", "Sciatica", qi}
    assert "Plantar fasciitis" not in found
    assert found[qi]["hedge"] == "might be"
    assert found["Sciatica"]["hedge"] == "can also offer"
    assert "hedge" not in found["Back pain"]
    dry = by(rows("conditions_of_modality", modality="dry-needling"), "conditionLabel")
    assert dry["Plantar fasciitis"]["hedge"] == "often considered"
    assert qi not in dry


def test_compare_modalities_has_every_aspect(rows: Rows) -> None:
    found = rows("compare_modalities")
    seen: dict[str, set[object]] = defaultdict(set)
    for row in found:
        seen[row["aspect"]].add(row["modalityLabel"])
    assert list(dict.fromkeys(r["aspect"] for r in found)) == list(ASPECTS)  # in the table's order
    for aspect in ASPECTS:
        # the source describes techniques of dry needling only (F12)
        expected = {"Dry needling"} if aspect == "technique" else {"Dry needling", "Acupuncture"}
        assert seen[aspect] == expected, aspect
    costs = {
        r["modalityLabel"]: (r["minPrice"], r["maxPrice"], r["currency"])
        for r in found
        if r["aspect"] == "cost"
    }
    assert costs == {"Dry needling": (50, 150, "USD"), "Acupuncture": (70, 150, "USD")}
    assert all(row["valueLabel"] for row in found)


def test_choice_factors_in_general_and_for_back_pain(rows: Rows) -> None:
    general = rows("choice_factors")
    assert set(labels(general, "factorLabel")) == {
        "Nature of the condition",
        "Personal preference and comfort",
        "Underlying causes",
    }
    assert all(r.get("forCondition") is None for r in general)
    assert any("both modalities" in str(r.get("advice")) for r in general)
    back = rows("choice_factors", condition="back-pain")
    assert "A professional's opinion" in labels(back, "factorLabel")
    assert "A professional's opinion" not in labels(general, "factorLabel")
    assert {r.get("forConditionLabel") for r in back} == {"Back pain", None}
    assert labels(rows("choice_factors", condition="sciatica"), "factorLabel") == labels(
        general, "factorLabel"
    )


# --- looking things up ----------------------------------------------------------------------------------


def test_resource_links_out_and_in(rows: Rows) -> None:
    found = rows("resource_links", resource="sciatica")
    out = {(r["property"], r["other"]) for r in found if r["direction"] == "out"}
    inward = {(r["property"], r["otherLabel"]) for r in found if r["direction"] == "in"}
    assert (SCHEMA + "possibleTreatment", NKG + "dry-needling") in out
    assert (SCHEMA + "possibleTreatment", NKG + "acupuncture") in out
    assert (NKG + "condition", "Dry needling for sciatica") in inward
    assert not any(str(r["other"]).startswith(NKG + "claim-") for r in found)  # claims are elsewhere
    dry = rows("resource_links", resource="dry-needling")
    assert ("in", "Sciatica") in {(r["direction"], r.get("otherLabel")) for r in dry}
    assert ("out", "Bruising") in {(r["direction"], r.get("otherLabel")) for r in dry}


def test_claims_about_sciatica(rows: Rows) -> None:
    found = rows("claims_about", resource="sciatica")
    assert sorted({r["fact"] for r in found}) == ["F29", "F30", "F31", "F32"]
    assert {r["sectionLabel"] for r in found} == {"the paragraphs on sciatica"}
    assert {r["articleTitle"] for r in found} == {"Dry Needling vs Acupuncture"}
    f29 = next(r for r in found if r["fact"] == "F29")
    assert (f29["subjectLabel"], f29["objectLabel"], f29["hedge"]) == ("Sciatica", "Dry needling", "can be")


def test_label_search(rows: Rows) -> None:
    found = rows("label_search", text="needl")
    assert "Dry needling" in labels(found, "label")
    assert all("needl" in str(r["matched"]).lower() for r in found)
    assert found[0]["matched"] == found[0]["label"]  # preferred labels come first
    assert labels(rows("label_search", text="NEEDL"), "entity") == labels(found, "entity")
    assert rows("label_search", text="zzzz-nothing") == []


def test_list_entities(rows: Rows) -> None:
    assert labels(rows("list_entities", type="nkg:Modality"), "label") == ["Acupuncture", "Dry needling"]
    conditions = labels(rows("list_entities", type="schema:MedicalCondition"), "label")
    assert {"Sciatica", "Back pain", "Plantar fasciitis"} <= set(conditions)
    assert conditions == sorted(conditions)


def test_modalities_with_property(rows: Rows) -> None:
    found = rows("modalities_with_property", value="trigger-points")
    # dry needling targets trigger points, and "may be" the better option when they are the concern
    assert {(r["entityLabel"], r["propertyLabel"], r.get("hedge")) for r in found} == {
        ("Dry needling", "targets", None),
        ("Dry needling", "may suit", "may be"),
    }
    skin = rows("modalities_with_property", value="skin", type="nkg:Technique")
    assert labels(skin, "entityLabel") == ["Superficial dry needling"]
    assert rows("modalities_with_property", value="skin") == []  # the default type is a modality
    western = rows("modalities_with_property", value="schema:WesternConventional")
    assert labels(western, "entityLabel") == ["Dry needling"]


def test_describe_qi(rows: Rows) -> None:
    found = rows("describe_resource", resource="qi")
    assert len(found) == 1
    assert found[0]["resourceLabel"] == "Qi"
    assert "vital energy" in str(found[0]["definition"])
    assert "chi" in str(found[0]["otherNames"]).split(", ")
    assert rows("describe_resource", resource="no-such-thing") == []


def test_a_hidden_label_is_searched_by_but_never_shown_as_another_name(rows: Rows) -> None:
    tcm = "schema:TraditionalChinese"
    assert "China" in {
        r["label"] for r in rows("lexicon", text="china") if r["entity"].endswith("TraditionalChinese")
    }
    assert "China" not in str(rows("describe_resource", resource=tcm)[0]["otherNames"]).split(", ")


def test_lexicon_leads_lower_back_pain_to_back_pain_as_narrower(rows: Rows) -> None:
    found = rows("lexicon", text="back")
    assert (NKG + "back-pain", "Lower back pain", False, True) in {
        (r["entity"], r["label"], r["preferred"], r.get("narrower")) for r in found
    }
    assert not any(r["entity"] == NKG + "lower-back-pain" for r in found), "the narrower topic is no entity"
    everything = rows("lexicon")
    assert ("Back pain", True) in {
        (r["label"], r["preferred"]) for r in everything if r["entity"] == NKG + "back-pain"
    }
    assert not any(str(r["entity"]).startswith(NKG + "claim-") for r in everything)


def test_source_sections_in_article_order(rows: Rows, graph: KnowledgeGraph) -> None:
    found = rows("source_sections")
    assert labels(found, "sectionLabel") == [
        "the opening paragraph",
        "the “Dry Needling” section",
        "the paragraph on acupuncture",
        "the “Which is Better for Existing Conditions” section",
        "the “Plantar Fasciitis” section",
        "the “Back Pain” section",
        "the paragraphs on sciatica",
    ]
    # only the article's own four headings
    assert [h for h in labels(found, "heading") if h] == [
        "Dry Needling",
        "Which is Better for Existing Conditions",
        "Plantar Fasciitis",
        "Back Pain",
    ]
    assert {r["articleTitle"] for r in found} == {"Dry Needling vs Acupuncture"}
    claims = graph.store.select(f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a <{NKG}Claim> }}")
    assert sum(int(str(r["claims"])) for r in found) == int(next(claims.rows)["n"].value)


def test_resource_graph_of_dry_needling(graph: KnowledgeGraph) -> None:
    ntriples = graph.construct("resource_graph", {"resource": "dry-needling"}, "application/n-triples").body
    parsed = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in parsed}
    dry = NKG + "dry-needling"
    assert (dry, SCHEMA + "offers", NKG + "dry-needling-offer") in triples  # out
    assert (NKG + "sciatica", SCHEMA + "possibleTreatment", dry) in triples  # in
    assert (NKG + "claim-f29-1", NKG + "fact", "F29") in triples  # the claims about it, whole
    assert all(dry in (s, o) or s.startswith(NKG + "claim-") for s, _, o in triples)


def test_a_graph_query_is_not_run_for_rows(graph: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="CONSTRUCT"):
        graph.run("resource_graph", {"resource": "dry-needling"})
    with pytest.raises(ValueError, match="SELECT"):
        graph.construct("cheapest_modality", {}, "text/turtle")


# --- the engine around the queries ---------------------------------------------------------------------


def test_an_unknown_query_names_the_known_ones(graph: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQuery, match="treatments_for_condition"):
        graph.run("no_such_query")


def test_the_row_cap_truncates(graph: KnowledgeGraph) -> None:
    capped = KnowledgeGraph(graph.store, graph.catalogue, row_cap=2)
    result = capped.run("compare_modalities")
    assert len(result.rows) == 2
    assert result.truncated is True
    exactly = capped.run("treatments_for_condition", {"condition": "sciatica"})
    assert len(exactly.rows) == 2
    assert exactly.truncated is False
    assert graph.run("compare_modalities").truncated is False


def test_a_result_carries_its_sparql_and_time(graph: KnowledgeGraph) -> None:
    result = graph.run("treatments_for_condition", {"condition": "sciatica"})
    assert result.vars[:2] == ("therapy", "therapyLabel")
    assert f"<{NKG}sciatica>" in result.sparql
    assert "VALUES (?condition)" in result.sparql
    assert result.elapsed_ms >= 0
