"""The 36 facts of the source article (F01-F36 in domain/facts.md), checked on the real graph.

Each fact test asks, with SPARQL, what a user of the graph must be able to find:

* the structured triples that answer the fact (looked up by the labels a user would see),
* a claim node (``nkg:Claim`` with ``nkg:fact "Fnn"``) that points at those triples, is derived from
  the article and cites the part of the article that facts.md names for the fact (a heading, or what
  the part is where it has none: "the opening paragraph"),
* the article's own hedge ("aim to", "potential", "in rare cases", "can be"...) kept on the claim where
  the article hedges, and none where it does not (tests/test_claim_table.py checks every claim).

Then the negative facts (what the article does NOT say), and guards: every claim's triple is asserted,
only the article's headings are titles, every external identifier is a verified one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "needling.ttl"

PREFIXES = """
PREFIX nkg: <https://needling-kg.example.org/kg/>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

# The part of the article each fact comes from (domain/facts.md), as claims cite it: the four headings,
# and the three parts with no heading of their own named by what they are.
OPENING = "the opening paragraph"
DRY_NEEDLING = "the “Dry Needling” section"
ACUPUNCTURE = "the paragraph on acupuncture"
WHICH_IS_BETTER = "the “Which is Better for Existing Conditions” section"
PLANTAR_FASCIITIS = "the “Plantar Fasciitis” section"
BACK_PAIN = "the “Back Pain” section"
SCIATICA = "the paragraphs on sciatica"
HEADINGS = {"Dry Needling", "Which is Better for Existing Conditions", "Plantar Fasciitis", "Back Pain"}

SECTION_OF_FACT: dict[str, str] = {
    **{f"F{n:02d}": OPENING for n in (1, 2, 3, 4, 33)},
    **{f"F{n:02d}": DRY_NEEDLING for n in range(5, 13)},
    **{f"F{n:02d}": ACUPUNCTURE for n in (13, 14, 15, 16, 17, 34)},
    **{f"F{n:02d}": WHICH_IS_BETTER for n in range(18, 23)},
    **{f"F{n:02d}": PLANTAR_FASCIITIS for n in (23, 24, 25, 35)},
    **{f"F{n:02d}": BACK_PAIN for n in (26, 27, 28, 36)},
    **{f"F{n:02d}": SCIATICA for n in range(29, 33)},
}
ALL_FACTS = sorted(SECTION_OF_FACT)

ARTICLE_TITLE = "Dry Needling vs Acupuncture"


# ---------------------------------------------------------------------------------------------
# fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)
    return s


def select(store: ox.Store, query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in solutions]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query))


def values(store: ox.Store, query: str, var: str) -> set[str]:
    """The lexical values of one variable over all solutions."""
    return {row[var].value for row in select(store, query) if var in row}


def the(store: ox.Store, label: str) -> ox.NamedNode:
    """The one resource whose skos:prefLabel is `label` (case-insensitive), as a user would name it."""
    rows = select(
        store,
        f"""SELECT DISTINCT ?x WHERE {{
              ?x skos:prefLabel ?l . FILTER(LCASE(STR(?l)) = LCASE({_lit(label)}))
            }}""",
    )
    assert len(rows) == 1, f"expected exactly one resource labelled {label!r}, found {len(rows)}"
    return rows[0]["x"]


def _lit(text: str) -> str:
    return str(ox.Literal(text))


def _term(t: ox.NamedNode | ox.Literal | str) -> str:
    return t if isinstance(t, str) else str(t)


def assert_claimed(
    store: ox.Store,
    fact: str,
    s: ox.NamedNode | str,
    p: ox.NamedNode | str,
    o: ox.NamedNode | ox.Literal | str,
    hedge: str | None = None,
) -> None:
    """A claim node for `fact` points at (s, p, o), comes from the article, cites the fact's part of the
    article, and carries `hedge` if the article hedges (with `hedge=None`, no claim of the fact for that
    statement has one: the article states it plainly)."""
    section = SECTION_OF_FACT[fact]
    rows = select(
        store,
        f"""SELECT ?claim ?title ?hedge WHERE {{
              ?claim a nkg:Claim ; nkg:fact {_lit(fact)} ;
                     rdf:subject {_term(s)} ; rdf:predicate {_term(p)} ; rdf:object {_term(o)} .
              OPTIONAL {{ ?claim dcterms:source ?section . ?section skos:prefLabel ?title }}
              OPTIONAL {{ ?claim nkg:hedge ?hedge }}
              FILTER EXISTS {{ ?claim prov:wasDerivedFrom ?article .
                               ?article dcterms:title {_lit(ARTICLE_TITLE)}@en }}
            }}""",
    )
    triple = f"{_term(s)} {_term(p)} {_term(o)}"
    assert rows, f"{fact}: no claim node (derived from the article) for {triple}"
    titles = {r["title"].value for r in rows if "title" in r}
    assert section in titles, (
        f"{fact}: claim for {triple} cites part(s) {sorted(titles) or 'with no label'}, expected {section!r}"
    )
    hedges = {r["hedge"].value for r in rows if "hedge" in r}
    if hedge is None:
        assert not hedges, (
            f"{fact}: the article states {triple} plainly, but the claim hedges {sorted(hedges)}"
        )
    else:
        assert hedge in hedges, (
            f"{fact}: claim for {triple} has hedge(s) {sorted(hedges)}, expected {hedge!r}"
        )


def assert_fact_sections(store: ox.Store, fact: str) -> None:
    """Every claim for `fact` cites the section facts.md names, and derives from the article."""
    rows = select(
        store,
        f"""SELECT ?claim ?section ?title WHERE {{
              ?claim a nkg:Claim ; nkg:fact {_lit(fact)} .
              OPTIONAL {{ ?claim dcterms:source ?section . OPTIONAL {{ ?section skos:prefLabel ?title }} }}
            }}""",
    )
    assert rows, f"{fact}: no claim node"
    wrong = sorted(
        (
            r["claim"].value,
            r["section"].value if "section" in r else None,
            r.get("title") and r["title"].value,
        )
        for r in rows
        if "title" not in r or r["title"].value != SECTION_OF_FACT[fact]
    )
    assert not wrong, (
        f"{fact}: claims must cite {SECTION_OF_FACT[fact]!r}; wrong (claim, part, label): {wrong}"
    )
    assert not ask(
        store,
        f"""ASK {{ ?claim a nkg:Claim ; nkg:fact {_lit(fact)} .
                   FILTER NOT EXISTS {{ ?claim prov:wasDerivedFrom nkg:article }} }}""",
    ), f"{fact}: a claim is not prov:wasDerivedFrom nkg:article"


def labels_of(store: ox.Store, subject: ox.NamedNode, path: str) -> set[str]:
    """prefLabels of what `subject` reaches by the property path `path`."""
    return values(
        store,
        f"SELECT ?l WHERE {{ {subject} {path} ?x . ?x skos:prefLabel ?l }}",
        "l",
    )


def has_label_containing(labels: set[str], text: str) -> bool:
    return any(text.lower() in label.lower() for label in labels)


# ---------------------------------------------------------------------------------------------
# The opening paragraph
# ---------------------------------------------------------------------------------------------


def session_price(store, label: str, expected: tuple[float, float]) -> dict:
    """The one price of a session of the modality with this label: range, USD, per one session."""
    rows = select(
        store,
        f"""SELECT ?offer ?price ?min ?max ?cur ?qty ?unit WHERE {{
             ?m skos:prefLabel "{label}"@en ; schema:offers ?offer .
             ?offer a schema:Offer ; schema:priceSpecification ?price .
             ?price a schema:UnitPriceSpecification ; schema:minPrice ?min ; schema:maxPrice ?max ;
                    schema:priceCurrency ?cur ; schema:referenceQuantity ?q .
             ?q schema:value ?qty ; schema:unitText ?unit .
           }}""",
    )
    assert len(rows) == 1, rows
    row = rows[0]
    assert (float(row["min"].value), float(row["max"].value)) == expected
    assert row["cur"].value == "USD"
    assert (float(row["qty"].value), row["unit"].value) == (1.0, "session")
    return row


def test_F01_both_aim_to_relieve_pain_with_thin_needles(store):
    rows = select(
        store,
        """SELECT ?name ?needle ?relief WHERE {
             ?m a nkg:Modality ; skos:prefLabel ?name ;
                nkg:instrument/skos:prefLabel ?needle ;
                nkg:aim/skos:prefLabel ?relief .
             FILTER(CONTAINS(LCASE(?needle), "thin needle") && CONTAINS(LCASE(?relief), "pain relief"))
           }""",
    )
    assert {r["name"].value for r in rows} >= {"Dry needling", "Acupuncture"}
    needle, relief = the(store, "Thin needle"), the(store, "Pain relief")
    for modality in (the(store, "Dry needling"), the(store, "Acupuncture")):
        assert_claimed(store, "F01", modality, "nkg:instrument", needle, None)
        # an aim ("aim to"), not a stated benefit
        assert_claimed(store, "F01", modality, "nkg:aim", relief, "aim to")
        assert not ask(store, f"ASK {{ {modality} nkg:benefit {relief} }}"), (
            "pain relief is an aim, not a benefit"
        )
    assert_fact_sections(store, "F01")


def test_F02_dry_needling_western_predominantly_musculoskeletal(store):
    dn = the(store, "Dry needling")
    assert labels_of(store, dn, "schema:medicineSystem") == {"Western conventional medicine"}
    assert ask(store, f"ASK {{ {dn} schema:medicineSystem schema:WesternConventional }}")
    targets = labels_of(store, dn, "nkg:targets")
    for wanted in ("Musculoskeletal", "Trigger points", "Tight muscles"):
        assert has_label_containing(targets, wanted), f"dry needling does not target {wanted!r}: {targets}"
    assert_claimed(store, "F02", dn, "schema:medicineSystem", "schema:WesternConventional", None)
    assert_claimed(store, "F02", dn, "nkg:targets", the(store, "Musculoskeletal issues"), "predominantly")
    assert_claimed(store, "F02", dn, "nkg:targets", the(store, "Trigger points"), None)
    assert_claimed(store, "F02", dn, "nkg:targets", the(store, "Tight muscles"), None)
    assert_fact_sections(store, "F02")


def test_F03_acupuncture_tcm_holistic_energy_balance(store):
    acu = the(store, "Acupuncture")
    assert ask(store, f"ASK {{ {acu} schema:medicineSystem schema:TraditionalChinese }}")
    assert "TCM" in values(store, "SELECT ?a WHERE { schema:TraditionalChinese skos:altLabel ?a }", "a")
    assert labels_of(store, acu, "schema:medicineSystem") == {"Traditional Chinese Medicine"}
    assert has_label_containing(labels_of(store, acu, "nkg:approach"), "Holistic")
    assert has_label_containing(labels_of(store, acu, "nkg:addresses"), "balance of the body's energy")
    assert_claimed(store, "F03", acu, "schema:medicineSystem", "schema:TraditionalChinese", None)
    assert_claimed(store, "F03", acu, "nkg:approach", the(store, "Holistic approach"), None)
    assert_claimed(store, "F03", acu, "nkg:addresses", the(store, "Balance of the body's energy"), None)
    assert_fact_sections(store, "F03")


def test_F04_massage_and_physical_therapy_first_dry_needling_a_specialization(store):
    rows = select(
        store,
        """SELECT ?practice ?complaint WHERE {
             ?p skos:prefLabel ?practice ; nkg:commonlySoughtFor/skos:prefLabel ?complaint .
           }""",
    )
    pairs = {(r["practice"].value, r["complaint"].value) for r in rows}
    assert pairs >= {
        ("Massage", "Stress"),
        ("Massage", "Pain"),
        ("Physical therapy", "Stress"),
        ("Physical therapy", "Pain"),
    }
    dn, pt, massage = the(store, "Dry needling"), the(store, "Physical therapy"), the(store, "Massage")
    assert labels_of(store, dn, "nkg:specializationOf") == {"Physical therapy"}
    for practice in (pt, massage):
        for complaint in ("Stress", "Pain"):
            # "the most typical thing you will think to use": stated plainly
            assert_claimed(store, "F04", practice, "nkg:commonlySoughtFor", the(store, complaint), None)
    assert_claimed(store, "F04", dn, "nkg:specializationOf", pt, None)
    # the specialization "can provide" the same benefits
    assert_claimed(store, "F04", dn, "nkg:sameBenefitsAs", pt, "can provide")
    assert_fact_sections(store, "F04")


def test_F33_the_two_hold_many_similarities(store):
    dn, acu = the(store, "Dry needling"), the(store, "Acupuncture")
    assert labels_of(store, dn, "nkg:similarTo") == {"Acupuncture"}
    assert labels_of(store, acu, "nkg:similarTo") == {"Dry needling"}
    assert_claimed(store, "F33", dn, "nkg:similarTo", acu, None)
    assert_claimed(store, "F33", acu, "nkg:similarTo", dn, None)
    assert_fact_sections(store, "F33")


# ---------------------------------------------------------------------------------------------
# Dry Needling
# ---------------------------------------------------------------------------------------------


def test_F05_dry_needling_into_trigger_points_and_tight_bands(store):
    dn = the(store, "Dry needling")
    targets = labels_of(store, dn, "nkg:targets")
    assert has_label_containing(targets, "Trigger points")
    assert has_label_containing(targets, "Tight bands")
    assert has_label_containing(labels_of(store, dn, "nkg:instrument"), "needle")
    assert_claimed(store, "F05", dn, "nkg:targets", the(store, "Trigger points"), None)
    assert_claimed(store, "F05", dn, "nkg:targets", the(store, "Tight bands within muscles"), None)
    definition = values(store, f"SELECT ?d WHERE {{ {dn} skos:definition ?d }}", "d")
    assert len(definition) == 1 and "Western medicine" in next(iter(definition))
    assert_claimed(store, "F05", dn, "skos:definition", ox.Literal(next(iter(definition)), language="en"))
    assert_fact_sections(store, "F05")


def test_F06_only_licensed_professionals_offer_dry_needling(store):
    dn = the(store, "Dry needling")
    who = labels_of(store, dn, "nkg:mayBePerformedBy")
    for wanted in ("physical therapist", "chiropractor", "licensed healthcare professional"):
        assert has_label_containing(who, wanted), f"{wanted!r} missing from {who}"
    assert all("licensed" in label.lower() for label in who), who
    assert ask(store, f"ASK {{ {dn} nkg:performerMustBeLicensed true }}")
    for label in (
        "Licensed physical therapist",
        "Licensed chiropractor",
        "Other licensed healthcare professional",
    ):
        assert_claimed(store, "F06", dn, "nkg:mayBePerformedBy", the(store, label), None)
    assert_claimed(store, "F06", dn, "nkg:performerMustBeLicensed", "true", None)
    assert_fact_sections(store, "F06")


def test_F07_dry_needling_cost_can_vary(store):
    dn = the(store, "Dry needling")
    factors = labels_of(store, dn, "nkg:costFactor")
    assert factors == {"Location", "Practitioner expertise", "Number of sessions needed"}
    assert ask(store, f"ASK {{ {dn} nkg:costFactor/a nkg:CostFactor }}")
    for label in sorted(factors):
        assert_claimed(store, "F07", dn, "nkg:costFactor", the(store, label), "can vary")
    assert_fact_sections(store, "F07")


def test_F08_dry_needling_session_50_to_150_with_no_about(store):
    row = session_price(store, "Dry needling", (50.0, 150.0))
    assessment = values(
        store, 'SELECT ?a WHERE { ?dn skos:prefLabel "Dry needling"@en ; nkg:costAssessment ?a }', "a"
    )
    # relatively cost-effective next to some alternatives (any wording of ours)
    assert any(
        re.search(r"cost|cheap|afford|value", a, re.IGNORECASE) and "alternative" in a.lower()
        for a in assessment
    ), assessment
    dn = the(store, "Dry needling")
    # the article gives the range plainly: no "about" (that is acupuncture's "averages around")
    assert_claimed(store, "F08", dn, "schema:offers", row["offer"], None)
    assert_claimed(store, "F08", row["price"], "schema:minPrice", row["min"], None)
    assert_claimed(store, "F08", row["price"], "schema:maxPrice", row["max"], None)
    literal = ox.Literal(next(iter(assessment)), language="en")
    assert_claimed(store, "F08", dn, "nkg:costAssessment", literal, "considered")
    assert_fact_sections(store, "F08")


def test_F09_dry_needling_aims_to_release_improve_alleviate(store):
    dn = the(store, "Dry needling")
    how = labels_of(store, dn, "nkg:mechanism")
    assert has_label_containing(how, "tension")
    assert has_label_containing(how, "blood flow")
    aims = labels_of(store, dn, "nkg:aim")
    assert has_label_containing(aims, "musculoskeletal pain and dysfunction")
    relief = the(store, "Relief of musculoskeletal pain and dysfunction")
    assert_claimed(store, "F09", dn, "nkg:mechanism", the(store, "Releasing muscle tension"), "aims to")
    assert_claimed(store, "F09", dn, "nkg:mechanism", the(store, "Improving blood flow"), "aims to")
    assert_claimed(store, "F09", dn, "nkg:aim", relief, "aims to")
    assert not ask(store, f"ASK {{ {dn} nkg:benefit {relief} }}"), "an aim, not a stated benefit"
    assert_fact_sections(store, "F09")


def test_F10_dry_needling_benefits_with_potential_gains(store):
    dn = the(store, "Dry needling")
    benefits = labels_of(store, dn, "nkg:benefit")
    tightness = [b for b in benefits if all(w in b.lower() for w in ("tight", "knots", "trigger point"))]
    assert tightness, benefits
    assert has_label_containing(benefits, "range of motion")
    assert has_label_containing(benefits, "flexibility")
    assert len(benefits) == 3, f"the article names three benefits of dry needling: {benefits}"
    assert_claimed(store, "F10", dn, "nkg:benefit", the(store, tightness[0]), None)
    assert_claimed(store, "F10", dn, "nkg:benefit", the(store, "Improved range of motion"), "potential")
    assert_claimed(store, "F10", dn, "nkg:benefit", the(store, "Improved flexibility"), "potential")
    assert_fact_sections(store, "F10")


def test_F11_dry_needling_potential_risks_infection_in_rare_cases(store):
    dn = the(store, "Dry needling")
    risks = labels_of(store, dn, "schema:adverseOutcome")
    assert risks == {"Soreness", "Bruising", "Infection"}
    # the risk nodes are shared by both modalities: nothing one paragraph says of its soreness moves onto
    # the other's through a definition of the shared node
    assert not ask(store, "ASK { nkg:soreness skos:definition ?d }")
    # no frequency on the shared risk nodes: how often is said on each modality's claim
    assert not ask(store, "ASK { ?r a nkg:Risk ; nkg:frequency ?f }")
    assert_claimed(store, "F11", dn, "schema:adverseOutcome", the(store, "Soreness"), "potential")
    assert_claimed(store, "F11", dn, "schema:adverseOutcome", the(store, "Bruising"), "potential")
    assert_claimed(store, "F11", dn, "schema:adverseOutcome", the(store, "Infection"), "in rare cases")
    frequencies = values(
        store,
        """SELECT ?r ?f WHERE { ?c a nkg:Claim ; nkg:fact "F11" ; rdf:object ?risk ; nkg:frequency ?f .
                               ?risk skos:prefLabel ?r }""",
        "r",
    )
    assert frequencies == {"Infection"}, f"only infection has a frequency in the article: {frequencies}"
    assert_fact_sections(store, "F11")


def test_F12_practitioners_may_employ_superficial_and_deep_dry_needling(store):
    rows = select(
        store,
        """SELECT ?tech ?depth ?target WHERE {
             ?dn skos:prefLabel "Dry needling"@en ; nkg:technique ?t .
             ?t a nkg:Technique ; skos:prefLabel ?tech ; nkg:depth ?depth ;
                nkg:targets/skos:prefLabel ?target .
           }""",
    )
    found = {(r["tech"].value, r["depth"].value, r["target"].value) for r in rows}
    assert ("Superficial dry needling", "superficial", "Skin") in found, found
    assert ("Deep dry needling", "deep", "Deeper muscle layers") in found, found
    dn = the(store, "Dry needling")
    superficial, deep = the(store, "Superficial dry needling"), the(store, "Deep dry needling")
    assert_claimed(store, "F12", dn, "nkg:technique", superficial, "may employ")
    assert_claimed(store, "F12", dn, "nkg:technique", deep, "may employ")
    assert_claimed(store, "F12", superficial, "nkg:targets", the(store, "Skin"), None)
    assert_claimed(store, "F12", deep, "nkg:targets", the(store, "Deeper muscle layers"), None)
    assert_fact_sections(store, "F12")


# ---------------------------------------------------------------------------------------------
# The paragraph on acupuncture
# ---------------------------------------------------------------------------------------------


def test_F13_acupuncture_points_along_meridians_believed_to_carry_qi(store):
    acu = the(store, "Acupuncture")
    targets = labels_of(store, acu, "nkg:targets")
    assert targets >= {"Meridians", "Acupuncture points"}
    meridians, qi = the(store, "Meridians"), the(store, "Qi")
    assert labels_of(store, meridians, "nkg:carries") == {"Qi"}
    assert "vital energy" in values(store, f"SELECT ?a WHERE {{ {qi} skos:altLabel ?a }}", "a")
    assert_claimed(store, "F13", acu, "nkg:targets", meridians, None)
    assert_claimed(store, "F13", acu, "nkg:targets", the(store, "Acupuncture points"), None)
    assert_claimed(store, "F13", meridians, "nkg:carries", qi, "are believed to")
    definition = values(store, f"SELECT ?d WHERE {{ {meridians} skos:definition ?d }}", "d")
    assert any("believed" in d for d in definition), definition
    assert_fact_sections(store, "F13")


def test_F14_acupuncture_aims_to_rebalance_energy_wide_range(store):
    acu = the(store, "Acupuncture")
    assert has_label_containing(labels_of(store, acu, "nkg:mechanism"), "Rebalancing the body's energy")
    scope = values(store, f"SELECT ?s WHERE {{ {acu} nkg:scope ?s }}", "s")
    assert any("wide range" in s.lower() and "musculoskeletal" in s.lower() for s in scope), scope
    assert_claimed(store, "F14", acu, "nkg:mechanism", the(store, "Rebalancing the body's energy"), "aims to")
    # the body's energy is Qi: what acupuncture aims at, not what it is said to achieve
    assert_claimed(store, "F14", acu, "nkg:targets", the(store, "Qi"), "aims to")
    # the scope hangs off the same "aims to" sentence
    assert_claimed(store, "F14", acu, "nkg:scope", ox.Literal(next(iter(scope)), language="en"), "aims to")
    assert_fact_sections(store, "F14")


def test_F15_acupuncture_session_averages_around_70_to_150(store):
    row = session_price(store, "Acupuncture", (70.0, 150.0))
    acu = the(store, "Acupuncture")
    factors = labels_of(store, acu, "nkg:costFactor")
    assert factors == {"Location", "Practitioner expertise", "Number of sessions needed"}
    # "averages around" qualifies the price, not the offer of a session
    assert_claimed(store, "F15", acu, "schema:offers", row["offer"], None)
    assert_claimed(store, "F15", row["price"], "schema:minPrice", row["min"], "averages around")
    assert_claimed(store, "F15", row["price"], "schema:maxPrice", row["max"], "averages around")
    for label in sorted(factors):
        assert_claimed(store, "F15", acu, "nkg:costFactor", the(store, label), "can be subject to change")
    assert_fact_sections(store, "F15")


def test_F16_acupuncture_benefits(store):
    acu = the(store, "Acupuncture")
    benefits = labels_of(store, acu, "nkg:benefit")
    plain = ("Pain management", "Stress reduction", "Improved energy flow", "Overall well-being")
    often = ("Relaxation", "Mental clarity")
    assert set(plain + often) == benefits, benefits
    for label in plain:
        assert_claimed(store, "F16", acu, "nkg:benefit", the(store, label), None)
    # patients "often report" them
    for label in often:
        assert_claimed(store, "F16", acu, "nkg:benefit", the(store, label), "often report")
    assert_fact_sections(store, "F16")


def test_F17_acupuncture_minor_bruising_soreness_infection_in_rare_instances(store):
    acu = the(store, "Acupuncture")
    assert labels_of(store, acu, "schema:adverseOutcome") == {"Soreness", "Bruising", "Infection"}
    minor = values(
        store,
        """SELECT ?l WHERE { ?c a nkg:Claim ; nkg:fact "F17" ; rdf:subject nkg:acupuncture ;
                               rdf:predicate schema:adverseOutcome ; rdf:object ?r ; nkg:severity "minor" .
                            ?r skos:prefLabel ?l }""",
        "l",
    )
    assert minor == {"Soreness", "Bruising"}, minor
    assert_claimed(store, "F17", acu, "schema:adverseOutcome", the(store, "Soreness"), "potential")
    assert_claimed(store, "F17", acu, "schema:adverseOutcome", the(store, "Bruising"), "potential")
    assert_claimed(store, "F17", acu, "schema:adverseOutcome", the(store, "Infection"), "in rare instances")
    assert ask(
        store,
        """ASK { ?c nkg:fact "F17" ; rdf:object nkg:infection ; nkg:frequency "rare" }""",
    )
    assert_fact_sections(store, "F17")


def test_F34_acupuncture_widely_accepted(store):
    acu = the(store, "Acupuncture")
    acceptance = values(store, f"SELECT ?a WHERE {{ {acu} nkg:acceptance ?a }}", "a")
    assert any("wide" in a.lower() and "accept" in a.lower() for a in acceptance), acceptance
    assert_claimed(
        store, "F34", acu, "nkg:acceptance", ox.Literal(next(iter(acceptance)), language="en"), None
    )
    assert_fact_sections(store, "F34")


# ---------------------------------------------------------------------------------------------
# Which is Better for Existing Conditions
# ---------------------------------------------------------------------------------------------


def test_F18_choice_depends_on_nature_and_causes(store):
    rows = select(
        store,
        """SELECT ?choice ?factor WHERE {
             ?choice a nkg:TreatmentChoice ; nkg:between ?dn, ?acu ; nkg:dependsOn/skos:prefLabel ?factor .
             ?dn skos:prefLabel "Dry needling"@en . ?acu skos:prefLabel "Acupuncture"@en .
             FILTER NOT EXISTS { ?choice nkg:condition ?any }
           }""",
    )
    assert {r["factor"].value for r in rows} >= {"Nature of the condition", "Underlying causes"}
    choice = rows[0]["choice"]
    assert_claimed(store, "F18", choice, "nkg:dependsOn", the(store, "Nature of the condition"), None)
    assert_claimed(store, "F18", choice, "nkg:dependsOn", the(store, "Underlying causes"), None)
    assert_fact_sections(store, "F18")


def test_F19_dry_needling_may_be_better_for_musculoskeletal_tension_trigger_points(store):
    dn = the(store, "Dry needling")
    suited = labels_of(store, dn, "nkg:suitedFor")
    assert suited == {"Musculoskeletal issues", "Muscle tension", "Trigger points"}
    treated_by_dn = values(
        store,
        """SELECT ?l WHERE { ?c schema:possibleTreatment ?dn ; skos:prefLabel ?l .
                            ?dn skos:prefLabel "Dry needling"@en }""",
        "l",
    )
    assert has_label_containing(treated_by_dn, "Musculoskeletal")
    assert has_label_containing(treated_by_dn, "tension")
    ms, tension = the(store, "Musculoskeletal issues"), the(store, "Muscle tension")
    for concern in (ms, tension, the(store, "Trigger points")):
        assert_claimed(store, "F19", dn, "nkg:suitedFor", concern, "may be")
    for condition in (ms, tension):
        assert_claimed(store, "F19", condition, "schema:possibleTreatment", dn, "may be")
    assert_fact_sections(store, "F19")


def test_F20_acupuncture_might_suit_qi_imbalance_as_tcm_views_it(store):
    acu = the(store, "Acupuncture")
    qi_imbalance = the(store, "Qi imbalance (as Traditional Chinese Medicine views it)")
    assert labels_of(store, acu, "nkg:suitedFor") == {
        "Qi imbalance (as Traditional Chinese Medicine views it)"
    }
    assert ask(store, f"ASK {{ {qi_imbalance} schema:possibleTreatment {acu} }}")
    definition = values(store, f"SELECT ?d WHERE {{ {qi_imbalance} skos:definition ?d }}", "d")
    assert any("Traditional Chinese Medicine" in d for d in definition), definition
    assert_claimed(store, "F20", acu, "nkg:suitedFor", qi_imbalance, "might be")
    assert_claimed(store, "F20", qi_imbalance, "schema:possibleTreatment", acu, "might be")
    assert_claimed(
        store,
        "F20",
        qi_imbalance,
        "skos:definition",
        ox.Literal(next(iter(definition)), language="en"),
        "is viewed as",
    )
    assert_fact_sections(store, "F20")


def test_F21_some_may_prefer_holistic_others_evidence_based(store):
    dn, acu = the(store, "Dry needling"), the(store, "Acupuncture")
    choice = the(store, "Choosing between dry needling and acupuncture")
    assert has_label_containing(labels_of(store, choice, "nkg:dependsOn"), "preference")
    assert has_label_containing(labels_of(store, acu, "nkg:prefersApproach"), "Holistic")
    assert has_label_containing(labels_of(store, dn, "nkg:prefersApproach"), "Evidence-based")
    assert has_label_containing(labels_of(store, dn, "nkg:approach"), "Evidence-based")
    holistic, evidence = the(store, "Holistic approach"), the(store, "Evidence-based focus")
    preference = the(store, "Personal preference and comfort")
    assert_claimed(store, "F21", choice, "nkg:dependsOn", preference, "should be taken into consideration")
    assert_claimed(store, "F21", acu, "nkg:prefersApproach", holistic, "some may")
    assert_claimed(store, "F21", dn, "nkg:prefersApproach", evidence, "others may")
    assert_claimed(store, "F21", dn, "nkg:approach", evidence, None)
    assert_fact_sections(store, "F21")


def test_F22_professionals_experienced_in_both_can_offer_insight(store):
    choice = the(store, "Choosing between dry needling and acupuncture")
    advice = values(store, f"SELECT ?a WHERE {{ {choice} nkg:advice ?a }}", "a")
    assert any("professional" in a.lower() and "both" in a.lower() for a in advice), advice
    literal = ox.Literal(next(iter(advice)), language="en")
    assert_claimed(store, "F22", choice, "nkg:advice", literal, "can offer")
    assert_fact_sections(store, "F22")


# ---------------------------------------------------------------------------------------------
# Plantar Fasciitis
# ---------------------------------------------------------------------------------------------


def test_F23_dry_needling_often_considered_for_plantar_fasciitis_not_acupuncture(store):
    pf, dn = the(store, "Plantar fasciitis"), the(store, "Dry needling")
    assert labels_of(store, pf, "schema:possibleTreatment") == {"Dry needling"}
    assert not ask(store, f'ASK {{ {pf} schema:possibleTreatment ?t . ?t skos:prefLabel "Acupuncture"@en }}')
    approach = select(
        store,
        f"""SELECT ?ca ?label WHERE {{
              ?ca a nkg:ConditionApproach ; nkg:therapy {dn} ; nkg:condition {pf} ;
                  nkg:approach/skos:prefLabel ?label }}""",
    )
    assert any(
        "targeted" in r["label"].value.lower() and "local" in r["label"].value.lower() for r in approach
    )
    # "often considered": never promoted to certainty
    assert_claimed(store, "F23", pf, "schema:possibleTreatment", dn, "often considered")
    targeted = the(store, "Targeted, localized approach")
    assert_claimed(store, "F23", approach[0]["ca"], "nkg:approach", targeted, None)
    assert_fact_sections(store, "F23")


def test_F24_plantar_fasciitis_commonly_involves_foot_and_calf_muscles(store):
    pf, dn = the(store, "Plantar fasciitis"), the(store, "Dry needling")
    muscles = the(store, "Foot and calf muscles")
    assert labels_of(store, pf, "nkg:commonlyInvolves") == {"Foot and calf muscles"}
    rows = select(
        store,
        f"""SELECT ?ca WHERE {{ ?ca a nkg:ConditionApproach ; nkg:therapy {dn} ; nkg:condition {pf} ;
                                   nkg:targets {muscles} }}""",
    )
    assert len(rows) == 1
    # "commonly" qualifies what plantar fasciitis involves, not what dry needling targets
    assert_claimed(store, "F24", pf, "nkg:commonlyInvolves", muscles, "commonly")
    assert_claimed(store, "F24", rows[0]["ca"], "nkg:targets", muscles, None)
    assert_fact_sections(store, "F24")


def test_F25_dry_needling_seeks_to_release_circulate_heal(store):
    ca = the(store, "Dry needling for plantar fasciitis")
    assert labels_of(store, ca, "nkg:therapy") == {"Dry needling"}
    assert labels_of(store, ca, "nkg:condition") == {"Plantar fasciitis"}
    mechanisms = {"Releasing muscle tension", "Improving blood flow", "Supporting the body's natural healing"}
    assert labels_of(store, ca, "nkg:mechanism") == mechanisms
    assert labels_of(store, ca, "nkg:targets") >= {"Trigger points", "Tight bands within muscles"}
    who = {"Licensed physical therapist", "Other licensed healthcare professional"}
    assert labels_of(store, ca, "nkg:performedBy") >= who
    for label in sorted(mechanisms):
        assert_claimed(store, "F25", ca, "nkg:mechanism", the(store, label), "seeks to")
    for label in sorted(who):
        assert_claimed(store, "F25", ca, "nkg:performedBy", the(store, label), None)
    notes = values(store, f"SELECT ?n WHERE {{ {ca} nkg:note ?n }}", "n")
    assert any("can" in n for n in notes), notes
    assert_claimed(store, "F25", ca, "nkg:note", ox.Literal(next(iter(notes)), language="en"), "can")
    assert_fact_sections(store, "F25")


def test_F35_evidence_based_approach_may_contribute_to_managing_symptoms(store):
    ca = the(store, "Dry needling for plantar fasciitis")
    assert "Evidence-based focus" in labels_of(store, ca, "nkg:approach")
    assert labels_of(store, ca, "nkg:benefit") == {"Managing plantar fasciitis symptoms"}
    assert_claimed(
        store,
        "F35",
        ca,
        "nkg:benefit",
        the(store, "Managing plantar fasciitis symptoms"),
        "may contribute to",
    )
    # "can tailor the treatment ..., providing a targeted and evidence-based approach"
    assert_claimed(store, "F35", ca, "nkg:approach", the(store, "Evidence-based focus"), "can")
    assert_fact_sections(store, "F35")


# ---------------------------------------------------------------------------------------------
# Back Pain
# ---------------------------------------------------------------------------------------------


def test_F26_both_relieve_back_pain_choice_boils_down_to_preference_and_opinion(store):
    bp = the(store, "Back pain")
    assert labels_of(store, bp, "schema:possibleTreatment") == {"Dry needling", "Acupuncture"}
    rows = select(
        store,
        f"""SELECT ?choice ?factor WHERE {{
              ?choice a nkg:TreatmentChoice ; nkg:condition {bp} ;
                      nkg:between nkg:dry-needling, nkg:acupuncture ;
                      nkg:dependsOn/skos:prefLabel ?factor }}""",
    )
    factors = {r["factor"].value for r in rows}
    assert has_label_containing(factors, "preference") and has_label_containing(factors, "professional")
    choice = rows[0]["choice"]
    assert_claimed(store, "F26", bp, "schema:possibleTreatment", the(store, "Dry needling"), None)
    assert_claimed(store, "F26", bp, "schema:possibleTreatment", the(store, "Acupuncture"), None)
    for label in ("Personal preference and comfort", "A professional's opinion"):
        assert_claimed(store, "F26", choice, "nkg:dependsOn", the(store, label), "boils down to")
    for label in ("Dry needling for back pain", "Acupuncture for back pain"):
        assert_claimed(store, "F26", the(store, label), "nkg:benefit", the(store, "Pain relief"), None)
    assert_fact_sections(store, "F26")


def test_F27_dry_needling_for_back_pain_twitch_response_and_aims(store):
    ca = the(store, "Dry needling for back pain")
    assert labels_of(store, ca, "nkg:therapy") == {"Dry needling"}
    assert labels_of(store, ca, "nkg:condition") == {"Back pain"}
    targets = {"Trigger points", "Tight muscles"}
    mechanisms = {
        "Local twitch response",
        "Releasing muscle tension",
        "Improving blood flow",
        "Breaking the pain cycle",
        "Disrupting tight muscle knots",
        "Supporting the body's natural healing",
    }
    aims = {"Pain relief", "Improved flexibility", "Improved function"}
    assert labels_of(store, ca, "nkg:targets") == targets
    assert labels_of(store, ca, "nkg:mechanism") == mechanisms
    assert labels_of(store, ca, "nkg:aim") == aims
    for prop, labels in (
        ("nkg:targets", targets),
        ("nkg:mechanism", mechanisms - {"Breaking the pain cycle"}),
    ):
        for label in sorted(labels):
            assert_claimed(store, "F27", ca, prop, the(store, label), None)
    # the procedure "helps to" break the pain cycle
    assert_claimed(store, "F27", ca, "nkg:mechanism", the(store, "Breaking the pain cycle"), "helps to")
    for label in sorted(aims):
        assert_claimed(store, "F27", ca, "nkg:aim", the(store, label), "aims to")
    assert_fact_sections(store, "F27")


def test_F28_acupuncture_for_back_pain_can_modulate_nerves_and_endorphins(store):
    ca = the(store, "Acupuncture for back pain")
    assert labels_of(store, ca, "nkg:therapy") == {"Acupuncture"}
    assert labels_of(store, ca, "nkg:condition") == {"Back pain"}
    addresses = {"Local symptoms", "Balance of the body's energy"}
    plain = {"Stimulating the flow of Qi"}
    can = {"Modulating the nervous system", "Reducing pain signals", "Releasing endorphins"}
    assert labels_of(store, ca, "nkg:addresses") >= addresses
    assert labels_of(store, ca, "nkg:mechanism") == plain | can
    for label in sorted(addresses):
        assert_claimed(store, "F28", ca, "nkg:addresses", the(store, label), None)
    for label in sorted(plain):
        assert_claimed(store, "F28", ca, "nkg:mechanism", the(store, label), None)
    for label in sorted(can):
        assert_claimed(store, "F28", ca, "nkg:mechanism", the(store, label), "can")
    assert_claimed(store, "F28", ca, "nkg:benefit", the(store, "A sense of balance and harmony"), None)
    assert_fact_sections(store, "F28")


def test_F36_immediate_relief_and_underlying_imbalances_for_back_pain(store):
    ca = the(store, "Acupuncture for back pain")
    assert "Immediate pain relief" in labels_of(store, ca, "nkg:aim")
    assert "Underlying imbalances" in labels_of(store, ca, "nkg:addresses")
    assert labels_of(store, ca, "nkg:benefit") >= {"Overall well-being", "Improved function"}
    assert_claimed(store, "F36", ca, "nkg:aim", the(store, "Immediate pain relief"), None)
    assert_claimed(store, "F36", ca, "nkg:addresses", the(store, "Underlying imbalances"), None)
    for label in ("Overall well-being", "Improved function"):
        assert_claimed(store, "F36", ca, "nkg:benefit", the(store, label), None)
    assert_fact_sections(store, "F36")


# ---------------------------------------------------------------------------------------------
# The paragraphs on sciatica
# ---------------------------------------------------------------------------------------------


def test_F29_dry_needling_can_be_beneficial_for_sciatica(store):
    sciatica, dn = the(store, "Sciatica"), the(store, "Dry needling")
    assert ask(store, f"ASK {{ {sciatica} schema:possibleTreatment {dn} }}")
    ca = the(store, "Dry needling for sciatica")
    assert labels_of(store, ca, "nkg:condition") == {"Sciatica"}
    assert has_label_containing(labels_of(store, ca, "nkg:targets"), "sciatic nerve")
    assert has_label_containing(labels_of(store, ca, "nkg:mechanism"), "tension")
    assert_claimed(store, "F29", sciatica, "schema:possibleTreatment", dn, "can be")
    muscles = the(store, "Muscles associated with the sciatic nerve")
    assert_claimed(store, "F29", ca, "nkg:targets", muscles, None)
    assert_claimed(store, "F29", ca, "nkg:mechanism", the(store, "Releasing muscle tension"), None)
    # "may help" reduce the pain and discomfort
    assert_claimed(store, "F29", ca, "nkg:benefit", the(store, "Less pain and discomfort"), "may help")
    assert_fact_sections(store, "F29")


def test_F30_acupuncture_can_also_offer_a_holistic_approach_to_sciatica(store):
    sciatica, acu = the(store, "Sciatica"), the(store, "Acupuncture")
    assert ask(store, f"ASK {{ {sciatica} schema:possibleTreatment {acu} }}")
    ca = the(store, "Acupuncture for sciatica")
    assert labels_of(store, ca, "nkg:condition") == {"Sciatica"}
    assert has_label_containing(labels_of(store, ca, "nkg:approach"), "Holistic")
    assert labels_of(store, ca, "nkg:targets") >= {"Meridians", "Acupuncture points"}
    assert labels_of(store, ca, "nkg:addresses") >= {"Local symptoms", "Balance of the body's energy"}
    assert labels_of(store, ca, "nkg:performedBy") == {"Acupuncturist"}
    assert "Acupuncturist" in labels_of(store, acu, "nkg:mayBePerformedBy")
    assert_claimed(store, "F30", sciatica, "schema:possibleTreatment", acu, "can also offer")
    assert_claimed(store, "F30", ca, "nkg:approach", the(store, "Holistic approach"), "can also offer")
    assert_claimed(store, "F30", ca, "nkg:addresses", the(store, "Local symptoms"), "can also offer")
    balance = the(store, "Balance of the body's energy")
    assert_claimed(store, "F30", ca, "nkg:addresses", balance, "can also offer")
    assert_claimed(store, "F30", ca, "nkg:targets", the(store, "Meridians"), None)
    assert_claimed(store, "F30", ca, "nkg:targets", the(store, "Acupuncture points"), None)
    # "potentially" promoting the flow of Qi and easing imbalances
    assert_claimed(store, "F30", ca, "nkg:mechanism", the(store, "Stimulating the flow of Qi"), "potentially")
    easing = the(store, "Easing the imbalances behind sciatic pain")
    assert_claimed(store, "F30", ca, "nkg:mechanism", easing, "potentially")
    assert_claimed(store, "F30", ca, "nkg:performedBy", the(store, "Acupuncturist"), None)
    assert_claimed(store, "F30", acu, "nkg:mayBePerformedBy", the(store, "Acupuncturist"), None)
    assert_fact_sections(store, "F30")


def test_F31_combining_may_offer_a_synergistic_effect_for_sciatica(store):
    rows = select(
        store,
        """SELECT ?combo ?effect WHERE {
             ?combo a nkg:Combination ; nkg:combines ?dn, ?acu ; nkg:condition ?s ;
                    nkg:benefit/skos:prefLabel ?effect .
             ?dn skos:prefLabel "Dry needling"@en . ?acu skos:prefLabel "Acupuncture"@en .
             ?s skos:prefLabel "Sciatica"@en .
           }""",
    )
    assert any("synerg" in r["effect"].value.lower() for r in rows), rows
    combo = rows[0]["combo"]
    effect = values(store, f"SELECT ?e WHERE {{ {combo} nkg:possibleEffect ?e }}", "e")
    assert any("release" in e.lower() and "energy balance" in e.lower() for e in effect), effect
    sciatica = the(store, "Sciatica")
    for modality in ("Dry needling", "Acupuncture"):
        # both "provide treatment for sciatica pain", plainly
        assert_claimed(store, "F31", sciatica, "schema:possibleTreatment", the(store, modality), None)
        assert_claimed(store, "F31", combo, "nkg:combines", the(store, modality), None)
    assert_claimed(store, "F31", combo, "nkg:benefit", the(store, "Synergistic effect"), "may offer")
    assert_claimed(
        store,
        "F31",
        combo,
        "nkg:possibleEffect",
        ox.Literal(next(iter(effect)), language="en"),
        "can contribute",
    )
    for label in ("Local muscular issues", "Underlying imbalances"):
        assert_claimed(store, "F31", combo, "nkg:addresses", the(store, label), "may address")
    assert_fact_sections(store, "F31")


def test_F32_personalized_plan_possibly_combining_with_stretching_and_lifestyle(store):
    plan = the(store, "Personalized sciatica treatment plan")
    assert ask(store, f"ASK {{ {plan} a nkg:TreatmentPlan }}")
    assert labels_of(store, plan, "nkg:condition") == {"Sciatica"}
    parts = {"Dry needling", "Acupuncture", "Stretching exercises", "Lifestyle changes"}
    assert labels_of(store, plan, "nkg:mayInclude") == parts
    for label in sorted(parts):
        assert_claimed(store, "F32", plan, "nkg:mayInclude", the(store, label), "possibly")
    assert_claimed(store, "F32", plan, "nkg:condition", the(store, "Sciatica"), None)
    notes = {n: n for n in values(store, f"SELECT ?n WHERE {{ {plan} nkg:note ?n }}", "n")}
    differ = [n for n in notes if "differently" in n]
    tailored = [n for n in notes if "fitted" in n or "tailor" in n]
    assert differ and tailored, notes
    assert_claimed(store, "F32", plan, "nkg:note", ox.Literal(differ[0], language="en"), "can vary")
    assert_claimed(store, "F32", plan, "nkg:note", ox.Literal(tailored[0], language="en"), "can be")
    advice = values(store, f"SELECT ?a WHERE {{ {plan} nkg:advice ?a }}", "a")
    assert any("both" in a for a in advice), advice
    assert_claimed(
        store, "F32", plan, "nkg:advice", ox.Literal(next(iter(advice)), language="en"), "essential"
    )
    assert_fact_sections(store, "F32")


# ---------------------------------------------------------------------------------------------
# every fact, every claim
# ---------------------------------------------------------------------------------------------


def test_every_fact_has_a_claim(store):
    claimed = values(store, "SELECT DISTINCT ?f WHERE { ?c a nkg:Claim ; nkg:fact ?f }", "f")
    missing = sorted(set(ALL_FACTS) - claimed)
    assert not missing, f"facts with no claim node: {missing}"
    unknown = sorted(claimed - set(ALL_FACTS))
    assert not unknown, f"claims with a fact id outside F01-F36: {unknown}"

    # every claim is complete: one fact id, a full triple, the article, a labelled part of it
    incomplete = values(
        store,
        """SELECT DISTINCT ?c WHERE {
             ?c a nkg:Claim .
             FILTER(
               NOT EXISTS { ?c nkg:fact ?f } ||
               NOT EXISTS { ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } ||
               NOT EXISTS { ?c prov:wasDerivedFrom nkg:article } ||
               NOT EXISTS { ?c dcterms:source ?sec . ?sec a nkg:Section ; skos:prefLabel ?t ;
                                                         dcterms:isPartOf nkg:article }
             )
           }""",
        "c",
    )
    assert not incomplete, (
        f"claims missing fact id, triple, article or a labelled part of it: {sorted(incomplete)}"
    )
    several = values(
        store,
        """SELECT ?c WHERE { ?c a nkg:Claim ; nkg:fact ?f } GROUP BY ?c HAVING (COUNT(DISTINCT ?f) > 1)""",
        "c",
    )
    assert not several, f"claims with more than one fact id: {sorted(several)}"

    # no claim about something the graph does not say
    unasserted = select(
        store,
        """SELECT ?c ?s ?p ?o WHERE {
             ?c a nkg:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
             FILTER NOT EXISTS { ?s ?p ?o }
           }""",
    )
    assert not unasserted, "claims whose triple is not in the graph: " + "; ".join(
        f"{r['c'].value}: {r['s']} {r['p']} {r['o']}" for r in unasserted
    )


# ---------------------------------------------------------------------------------------------
# what the article does NOT say
# ---------------------------------------------------------------------------------------------


def test_no_acupuncture_for_plantar_fasciitis(store):
    pf, acu = the(store, "Plantar fasciitis"), the(store, "Acupuncture")
    assert not ask(store, f"ASK {{ {pf} schema:possibleTreatment {acu} }}")
    assert not ask(store, f"ASK {{ {acu} ?p {pf} }}"), "acupuncture is linked to plantar fasciitis"
    assert not ask(store, f"ASK {{ {pf} ?p {acu} }}"), "plantar fasciitis is linked to acupuncture"
    assert not ask(
        store,
        f"""ASK {{ ?c a nkg:Claim .
                   {{ ?c rdf:subject {pf} ; rdf:object {acu} }}
                   UNION {{ ?c rdf:subject {acu} ; rdf:object {pf} }}
                   UNION {{ ?c rdf:subject ?x ; rdf:object {acu} . ?x nkg:condition {pf} }}
                   UNION {{ ?c rdf:subject ?x ; rdf:object {pf} .
                            ?x nkg:therapy|nkg:combines|nkg:mayInclude {acu} }}
                }}""",
    ), "a claim ties acupuncture to plantar fasciitis"
    assert not ask(
        store,
        f"""ASK {{ ?x nkg:condition {pf} ; nkg:therapy|nkg:combines|nkg:mayInclude|nkg:favours {acu} }}""",
    ), "a ConditionApproach, combination, plan or choice applies or favours acupuncture for plantar fasciitis"
    # between the two, the article favours dry needling there ("often considered")
    choice = the(store, "Choosing a modality for plantar fasciitis")
    assert labels_of(store, choice, "nkg:favours") == {"Dry needling"}
    assert_claimed(store, "F23", choice, "nkg:favours", the(store, "Dry needling"), "often considered")


def test_no_price_for_massage_or_physical_therapy(store):
    for label in ("Massage", "Physical therapy"):
        practice = the(store, label)
        assert not ask(
            store,
            f"""ASK {{ {practice} (!rdf:type)* ?x .
                       {{ ?x schema:offers|schema:priceSpecification|schema:price|
                             schema:minPrice|schema:maxPrice|
                             schema:priceCurrency ?any }}
                       UNION {{ ?x a schema:Offer }} UNION {{ ?x a schema:PriceSpecification }}
                       UNION {{ ?x a schema:UnitPriceSpecification }} }}""",
        ), f"a price is reachable from {label}"
        assert not ask(store, f"ASK {{ ?offer schema:itemOffered {practice} }}"), f"an offer is for {label}"
        assert not ask(store, f"ASK {{ {practice} nkg:costFactor|nkg:costAssessment ?x }}"), label


def test_no_currency_other_than_usd(store):
    currencies = values(store, "SELECT DISTINCT ?c WHERE { ?x schema:priceCurrency|schema:currency ?c }", "c")
    assert currencies == {"USD"}, currencies
    unpriced = values(
        store,
        """SELECT ?p WHERE { ?p a ?t . VALUES ?t { schema:PriceSpecification schema:UnitPriceSpecification }
                             FILTER NOT EXISTS { ?p schema:priceCurrency "USD" } }""",
        "p",
    )
    assert not unpriced, f"price specifications without USD: {unpriced}"
    money = re.compile(r"[€£¥]|\b(eur|euros?|gbp|pounds?|cad|aud|jpy|yen|inr|rupees?)\b", re.IGNORECASE)
    # the words people may ask with ("in pounds") are labels of a topic the source is silent on, no price
    literals = values(
        store,
        """SELECT DISTINCT ?l WHERE { ?s ?p ?l FILTER(isLiteral(?l))
                                      FILTER NOT EXISTS { ?s a nkg:NotInSource } }""",
        "l",
    )
    assert not [lit for lit in literals if money.search(lit)]
    silent = values(store, "SELECT ?t WHERE { ?t a nkg:NotInSource ; skos:altLabel 'in pounds'@en }", "t")
    assert silent, "a question in pounds is to be named as a topic the source is silent on"


def test_no_condition_beyond_the_article(store):
    allowed = {
        "plantar fasciitis",
        "back pain",
        "sciatica",
        # the general categories the article uses to say which modality fits
        "musculoskeletal issues",
        "muscle tension",
        "trigger points",
        "qi imbalance (as traditional chinese medicine views it)",
        # F04: the complaints people take to massage and physical therapy
        "stress",
        "pain",
    }
    conditions = select(
        store,
        """SELECT DISTINCT ?c ?label WHERE {
             { ?c a/rdfs:subClassOf* schema:MedicalCondition }
             UNION { ?c schema:possibleTreatment ?t }
             UNION { ?x nkg:condition ?c }
             UNION { ?x nkg:suitedFor ?c }
             FILTER NOT EXISTS { ?c a owl:Class }
             OPTIONAL { ?c skos:prefLabel ?label }
           }""",
    )
    assert conditions
    unlabelled = [r["c"].value for r in conditions if "label" not in r]
    assert not unlabelled, f"conditions without a prefLabel: {unlabelled}"
    extra = sorted({r["label"].value for r in conditions if r["label"].value.lower() not in allowed})
    assert not extra, f"conditions the article does not name: {extra}"


CURE = re.compile(r"\bcur(e|es|ed|ing)\b", re.IGNORECASE)


def test_nothing_says_cure(store):
    """Cures appear only on nkg:NotInSource nodes, which record that the source is silent on them."""
    outside = (
        "FILTER NOT EXISTS { ?s a nkg:NotInSource } FILTER NOT EXISTS { ?c rdf:object ?s ; a nkg:Claim }"
    )
    literals = values(store, f"SELECT DISTINCT ?l WHERE {{ ?s ?p ?l FILTER(isLiteral(?l)) {outside} }}", "l")
    assert not sorted(lit for lit in literals if CURE.search(lit))
    iris = values(
        store,
        """SELECT DISTINCT ?i WHERE { { ?i ?p ?o } UNION { ?s ?i ?o } UNION { ?s ?p ?i }
                                     FILTER(isIRI(?i) && STRSTARTS(STR(?i), STR(nkg:)))
                                     FILTER NOT EXISTS { ?i a nkg:NotInSource } }""",
        "i",
    )
    assert not sorted(i for i in iris if CURE.search(re.sub(r"[^A-Za-z]+", " ", i.rsplit("/", 1)[-1])))
    silent = values(store, "SELECT ?d WHERE { ?s a nkg:NotInSource ; skos:scopeNote ?d }", "d")
    assert silent and all("never" in d or "not" in d for d in silent)
    claims_about_silence = values(
        store, "SELECT ?c WHERE { ?c a nkg:Claim ; rdf:object|rdf:subject ?s . ?s a nkg:NotInSource }", "c"
    )
    assert not claims_about_silence


# ---------------------------------------------------------------------------------------------
# guards
# ---------------------------------------------------------------------------------------------


def test_only_the_articles_headings_are_titles(store):
    """The article has four headings; the other parts are cited by what they are, with no title."""
    titles = values(store, "SELECT ?t WHERE { ?s a nkg:Section ; dcterms:title ?t }", "t")
    assert titles == HEADINGS
    cited = values(store, "SELECT ?l WHERE { ?s a nkg:Section ; skos:prefLabel ?l }", "l")
    assert cited == set(SECTION_OF_FACT.values())
    for label in (OPENING, ACUPUNCTURE, SCIATICA):
        assert not ask(store, f"ASK {{ ?s skos:prefLabel {_lit(label)}@en ; dcterms:title ?t }}"), label


# Descriptors checked against NLM's MeSH. Left out as unverifiable here: D019413, D061028 and D059825;
# D002684 is Chiropractic, the discipline, so it does not name the chiropractor.
VERIFIED_MESH = {
    "D015670", "D026881", "D015669", "D016740", "D008516", "D036981",
    "D012585", "D001416", "D017116", "D059352", "D004438", "D003288", "D007239",
}  # fmt: skip
VERIFIED_IDS = {f"http://id.nlm.nih.gov/mesh/{ui}" for ui in VERIFIED_MESH} | {
    "http://purl.bioontology.org/ontology/ICD10CM/M72.2"
}
EXTERNAL_PREFIXES = (
    "http://id.nlm.nih.gov/mesh/",
    "https://id.nlm.nih.gov/mesh/",
    "http://purl.bioontology.org/ontology/",
    "http://snomed.info/",
    "http://purl.obolibrary.org/",
)


def test_external_ids_are_verified(store):
    mapped = values(
        store,
        """SELECT DISTINCT ?id WHERE {
             ?x skos:closeMatch|skos:narrowMatch|skos:exactMatch|skos:broadMatch|skos:relatedMatch ?id }""",
        "id",
    )
    assert mapped, "no external identifiers at all"
    unverified = sorted(mapped - VERIFIED_IDS)
    assert not unverified, f"unverified external identifiers: {unverified}"
    # nor any other mention of an external code system that is not in the verified list
    mentioned = values(
        store,
        "SELECT DISTINCT ?i WHERE { { ?s ?p ?i } UNION { ?i ?p ?o } FILTER(isIRI(?i)) }",
        "i",
    )
    stray = sorted(i for i in mentioned if i.startswith(EXTERNAL_PREFIXES) and i not in VERIFIED_IDS)
    assert not stray, f"external IRIs outside the verified list: {stray}"
