"""Question answering as a user sees it: which things come back, with which costs, and when it declines.

The questions here are written for these tests (not the wording of the sample file or of the `.rq`
examples). Assertions look at answer labels, costs and the `answered` flag, never at the exact sentence.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from helpers import graph_of

from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.qa.wording import render_answer

ARTICLE = "Dry Needling vs Acupuncture"
COSTS = {"dry needling": (50, 150), "acupuncture": (70, 150)}
MODALITIES = set(COSTS)
NKG = "https://needling-kg.example.org/kg/"


# --- helpers --------------------------------------------------------------------------------------


def ask(graph: KnowledgeGraph, question: str) -> dict[str, Any]:
    return answer_question(graph, question)


def labels(reply: dict[str, Any]) -> list[str]:
    return [str(a["label"]).lower() for a in reply["answers"]]


def expect(
    reply: dict[str, Any],
    *,
    has: tuple[str, ...] | list[str] = (),
    lacks: tuple[str, ...] | list[str] = (),
    only: set[str] | None = None,
) -> None:
    """`has`: each term (alternatives split by "|") is in some label; `lacks`: in none; `only`: exact labels."""
    found = labels(reply)
    assert reply["answered"] is True, f"not answered: {reply['text']}"
    assert found, "answered without answers"
    for term in has:
        options = term.lower().split("|")
        assert any(opt in label for opt in options for label in found), f"{term!r} missing from {found}"
    for term in lacks:
        assert not [label for label in found if term.lower() in label], f"{term!r} unexpected in {found}"
    if only is not None:
        assert set(found) == only, f"expected exactly {only}, got {found}"


def expect_costs(reply: dict[str, Any]) -> None:
    """Every modality in the answers carries its session price, as the source gives it."""
    priced = [a for a in reply["answers"] if str(a["label"]).lower() in COSTS]
    assert priced, f"no priced answer among {labels(reply)}"
    for answer in priced:
        cost = answer.get("cost")
        assert isinstance(cost, dict), f"{answer['label']} has no cost"
        lo, hi = COSTS[answer["label"].lower()]
        assert (float(cost["min"]), float(cost["max"])) == (lo, hi), f"{answer['label']}: {cost}"
        assert cost["currency"] == "USD"
        assert cost["per"] == "session"


def expect_refusal(reply: dict[str, Any]) -> None:
    assert reply["answered"] is False, f"answered {labels(reply)} ({reply['interpretation']['intent']})"
    assert reply["answers"] == []
    text = reply["text"].lower()
    assert text, "a refusal says what is known instead"
    assert "sciatica" in text and "acupuncture" in text, f"refusal does not name what is covered: {text}"


# --- treatments for a condition -------------------------------------------------------------------

BOTH = {"dry needling", "acupuncture"}
DN = {"dry needling"}
ACU = {"acupuncture"}


@pytest.mark.parametrize(
    ("question", "modalities"),
    [
        ("what are the treatments for sciatica and how much do they cost", BOTH),
        ("what helps lower back pain", BOTH),
        ("how to treat low back pain", BOTH),
        ("back ache remedies", BOTH),
        ("what helps a bad back", BOTH),
        ("options for plantar fasciitis", DN),
        ("what treats chi imbalance", ACU),
        ("WHAT HELPS SCIATICA", BOTH),
        ("what treats sciatica???", BOTH),
        ("sciatica treatment cost", BOTH),
        ("what helps siatica", BOTH),
        ("what treats sciatika", BOTH),
        ("treatment for plantar fascitis", DN),
        ("SIATICA TREATMENT COST", BOTH),
        pytest.param("what can I do about plantar fasciitis", DN),
    ],
)
def test_treatments_for_a_condition_come_with_their_costs(
    graph: KnowledgeGraph, question: str, modalities: set[str]
) -> None:
    reply = ask(graph, question)
    expect(reply, only=modalities)
    expect_costs(reply)


def test_lower_back_pain_is_answered_as_back_pain_and_says_so(graph: KnowledgeGraph) -> None:
    """The article speaks of back pain, not of lower back pain: the answer is about back pain, says so
    first, and lists lower back pain as a topic the article does not cover."""
    reply = ask(graph, "does dry needling or acupuncture help my lower back pain")
    expect(reply, only=BOTH)
    assert reply["text"].startswith(
        "The article speaks of back pain in general and does not single out lower back pain."
    )
    assert reply["not_in_source"] == ["lower back pain"]
    assert "not_in_source" not in ask(graph, "what helps back pain")


def test_muscle_knots_are_what_dry_needling_targets(graph: KnowledgeGraph) -> None:
    expect(ask(graph, "which treatment is recommended for muscle knots"), only=DN)


@pytest.mark.parametrize(
    ("question", "modalities"),
    [
        ("which therapies help with sciatica?", BOTH),
        ("what therapy helps with plantar fasciitis", DN),
        ("which needling therapies help with low back pain?", BOTH),
    ],
)
def test_a_first_reading_that_finds_nothing_gives_way_to_the_next(
    graph: KnowledgeGraph, question: str, modalities: set[str]
) -> None:
    """ "Which therapies ... with sciatica" reads first as a therapy with the property sciatica, which the
    graph has none of; the next reading about sciatica that answers with therapies is its treatments."""
    reply = ask(graph, question)
    expect(reply, only=modalities)
    expect_costs(reply)
    assert reply["interpretation"]["intent"] == "treatments_for_condition"


def test_no_other_reading_of_the_same_kind_leaves_the_refusal(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "which technique targets sciatica?")
    assert reply["answered"] is False
    assert reply["answers"] == []


def test_the_parts_of_the_source_come_in_order_as_cited(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what sections does the article have?")
    assert reply["interpretation"]["intent"] == "source_sections"
    parts = [a["label"] for a in reply["answers"]]
    assert parts[:3] == [
        "the opening paragraph",
        "the “Dry Needling” section",
        "the paragraph on acupuncture",
    ]
    assert "the paragraphs on sciatica" in reply["text"]
    assert "Introduction" not in reply["text"], "a heading the article does not have"


# --- cost of a modality ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "modalities"),
    [
        ("how much does acupuncture cost", ACU),
        ("what is the price of dry needling?", DN),
        ("dry needling fee", DN),
        ("HOW EXPENSIVE IS ACUPUNCTURE", ACU),
        ("is dry needling expensive", DN),
        ("acupunture cost", ACU),
        ("how much is dry neddling", DN),
        ("what does a session cost", BOTH),
        ("what do acupuncture and dry needling cost", BOTH),
    ],
)
def test_cost_of_a_modality(graph: KnowledgeGraph, question: str, modalities: set[str]) -> None:
    reply = ask(graph, question)
    expect(reply, only=modalities)
    expect_costs(reply)


@pytest.mark.parametrize(
    "question",
    [
        "how much does physical therapy cost",
        "price of massage",
        "how much is a massage",
        "cost of stretching",
    ],
)
def test_cost_of_something_without_a_price_is_declined(graph: KnowledgeGraph, question: str) -> None:
    expect_refusal(ask(graph, question))


# --- price limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "modalities"),
    [
        ("treatments under $60", DN),
        ("needling treatments below 65 dollars", DN),
        ("therapies for less than 75 USD", BOTH),
        ("sciatica treatments under $60", DN),
        ("what treats sciatica for under 60 bucks", DN),
        ("anything for back pain cheaper than 100 dollars", BOTH),
        ("TREATMENTS UNDER $200", BOTH),
    ],
)
def test_price_limit(graph: KnowledgeGraph, question: str, modalities: set[str]) -> None:
    reply = ask(graph, question)
    expect(reply, only=modalities)
    expect_costs(reply)


def test_price_limit_nothing_is_that_cheap(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "treatments under $40")
    assert reply["answered"] is False
    assert reply["answers"] == []


# --- cheapest and comparison ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "which is cheapest",
        "WHICH IS CHEAPER???",
        "what is the least expensive option",
        pytest.param("which needling treatment costs the least"),
    ],
)
def test_cheapest(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)
    expect(reply, only=DN)
    expect_costs(reply)


@pytest.mark.parametrize(
    "question",
    ["is dry needling cheaper than acupuncture", "which is cheaper at the low end, and by how much"],
)
def test_cheaper_of_two_named_gives_the_cheapest_first_and_both_prices(
    graph: KnowledgeGraph, question: str
) -> None:
    """Naming both, the asker compares them: the cheapest comes first and says so, and the other's price
    (with its own hedge) is beside it."""
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "cheapest_modality"
    assert [a["label"] for a in reply["answers"]] == ["Dry needling", "Acupuncture"]
    assert reply["text"].startswith("Dry needling ($50–150 per session) has the lowest starting price")
    expect_costs(reply)
    assert reply["answers"][1]["cost"]["hedge"] == "averages around"


@pytest.mark.parametrize(
    "question",
    [
        "compare dry needling and acupuncture",
        "dry needling vs acupuncture",
        "acupuncture versus dry needling?",
        "how does acupuncture compare to dry needling",
        "Compare Dry Needling To Acupuncture",
        pytest.param("compare acupuncture with dry needling"),
        pytest.param("what is the difference between dry needling and acupuncture"),
    ],
)
def test_comparison_lays_both_out_with_costs(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)
    expect(reply, only=BOTH)
    assert reply["interpretation"]["intent"] == "compare_modalities"
    expect_costs(reply)


# --- facts about one modality ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "has", "lacks"),
    [
        ("where does acupuncture come from", ["chinese"], ["western"]),
        ("origin of dry needling", ["western"], ["chinese"]),
        ("what tradition is acupuncture rooted in?", ["chinese"], ["western"]),
        ("dry neddling origins", ["western"], ["chinese"]),
        ("what is the history of acupunture", ["chinese"], ["western"]),
    ],
)
def test_origin(graph: KnowledgeGraph, question: str, has: list[str], lacks: list[str]) -> None:
    expect(ask(graph, question), has=has, lacks=lacks)


@pytest.mark.parametrize(
    "question",
    [
        "what are the side effects of dry needling",
        "is acupuncture safe",
        "is dry needling safe",
        "acupunture risks",
        "RISKS OF DRY NEEDLING",
        "any dangers with acupuncture??",
        "is dry needling painful?",
    ],
)
def test_risks(graph: KnowledgeGraph, question: str) -> None:
    expect(ask(graph, question), only={"soreness", "bruising", "infection"})


@pytest.mark.parametrize(
    ("question", "has", "lacks"),
    [
        ("benefits of acupuncture", ["stress", "relaxation", "mental clarity"], ["range of motion"]),
        ("what are the advantages of dry needling", ["range of motion", "flexibility"], ["mental clarity"]),
        ("pros of acupunture", ["relaxation", "well-being"], ["flexibility"]),
        ("why would someone get dry needling", ["range of motion"], ["relaxation"]),
        pytest.param("what does acupuncture do for you", ["relaxation"], []),
    ],
)
def test_benefits(graph: KnowledgeGraph, question: str, has: list[str], lacks: list[str]) -> None:
    expect(ask(graph, question), has=has, lacks=lacks)


@pytest.mark.parametrize(
    ("question", "has", "lacks"),
    [
        ("who performs acupuncture", ["acupuncturist"], ["physical", "chiropract"]),
        ("who can do dry needling", ["physical therap", "chiropract"], ["acupuncturist"]),
        ("WHO OFFERS ACUPUNTURE", ["acupuncturist"], ["physical"]),
        ("can a physio do dry needling", ["physical therap"], ["chiropract", "acupuncturist"]),
        ("is a chiropractor allowed to do dry needling", ["chiropract"], ["physical", "acupuncturist"]),
    ],
)
def test_practitioners(graph: KnowledgeGraph, question: str, has: list[str], lacks: list[str]) -> None:
    expect(ask(graph, question), has=has, lacks=lacks)


def test_a_practitioner_the_source_does_not_name_gets_a_no_and_who_it_names(graph: KnowledgeGraph) -> None:
    """The source answers the question, and not with the physio: that is a "no", with whom it names."""
    reply = ask(graph, "can a physio do acupuncture")
    assert reply["text"].startswith("The source does not say so:")
    assert {a["label"] for a in reply["answers"]} == {"Acupuncturist"}
    assert "not_in_source" not in reply


@pytest.mark.parametrize(
    "question",
    ["techniques of dry needling", "what kind of dry needling is there", "dry neddling methods"],
)
def test_techniques(graph: KnowledgeGraph, question: str) -> None:
    expect(ask(graph, question), only={"superficial dry needling", "deep dry needling"})


def test_techniques_the_source_does_not_name_are_declined(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what types of acupuncture are there")
    assert reply["answered"] is False
    assert reply["answers"] == []


@pytest.mark.parametrize(
    ("question", "has", "lacks"),
    [
        ("what does dry needling target", ["trigger point", "tight band"], ["meridian"]),
        ("what does dry needling aim at", ["trigger point"], ["acupuncture point"]),
        ("what does acupuncture focus on", ["meridian", "acupuncture point", "qi"], ["trigger"]),
        ("where are the needles placed in acupuncture", ["meridian|acupuncture point"], ["trigger"]),
    ],
)
def test_targets(graph: KnowledgeGraph, question: str, has: list[str], lacks: list[str]) -> None:
    expect(ask(graph, question), has=has, lacks=lacks)


@pytest.mark.parametrize(
    ("question", "has", "lacks"),
    [
        ("how does acupuncture work", ["energy"], ["blood flow"]),
        ("HOW DOES ACUPUNTURE WORK", ["energy"], ["blood flow"]),
        ("how does dry needling work?", ["blood flow", "tension"], ["energy"]),
        ("mechanism behind dry needling", ["blood flow", "tension"], ["energy"]),
    ],
)
def test_mechanisms(graph: KnowledgeGraph, question: str, has: list[str], lacks: list[str]) -> None:
    expect(ask(graph, question), has=has, lacks=lacks)


@pytest.mark.parametrize(
    ("question", "has", "lacks"),
    [
        ("what conditions does dry needling treat", ["plantar", "sciatica", "back pain"], ["qi"]),
        ("what can dry needling treat", ["plantar", "sciatica", "back pain"], ["qi"]),
        ("what is acupuncture good for", ["back pain", "sciatica", "qi imbalance"], ["plantar"]),
        ("what problems does acupunture help with", ["back pain", "sciatica"], ["plantar"]),
    ],
)
def test_conditions_of_a_modality(
    graph: KnowledgeGraph, question: str, has: list[str], lacks: list[str]
) -> None:
    expect(ask(graph, question), has=has, lacks=lacks)


@pytest.mark.parametrize(
    "question",
    [
        "what affects the cost of dry needling",
        "why does the price of acupuncture vary",
        "what factors affect acupuncture prices",
        "what makes acupuncture more expensive",
    ],
)
def test_cost_factors(graph: KnowledgeGraph, question: str) -> None:
    expect(ask(graph, question), has=["location", "expertise", "session"])


# --- which modality has a property --------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("which modality works on trigger points", DN),
        ("which needling treatment gives mental clarity", ACU),
        ("which one is rooted in western medicine", DN),
        ("which therapy is rooted in TCM", ACU),
        ("which treatment works on chi", ACU),
        ("Which treatment helps with relaxation?", ACU),
        ("which treatment is evidence based", DN),
        ("which modality uses superficial needling", DN),
        ("which therapy takes a holistic approach", ACU),
        ("which technique targets deeper muscles", {"deep dry needling"}),
        pytest.param("what therapy targets taut bands", DN),
    ],
)
def test_which_modality_has_a_property(graph: KnowledgeGraph, question: str, answer: set[str]) -> None:
    expect(ask(graph, question), only=answer)


# --- definitions and choosing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("what is qi", "qi"),
        ("what is chi?", "qi"),
        ("define meridians", "meridians"),
        ("what are acupoints", "acupuncture points"),
        ("what does TCM mean", "traditional chinese medicine"),
        ("what is physiotherapy", "physical therapy"),
        ("WHAT IS A TRIGGER POINT", "trigger points"),
        pytest.param("what does TCM stand for", "traditional chinese medicine"),
    ],
)
def test_definitions(graph: KnowledgeGraph, question: str, label: str) -> None:
    reply = ask(graph, question)
    expect(reply, only={label})
    assert len(reply["text"]) > len(label) + 10, "a definition says more than the name"


@pytest.mark.parametrize(
    ("question", "has"),
    [
        ("how do I choose between acupuncture and dry needling", ["preference", "nature of the condition"]),
        ("how should I decide between dry needling and acupuncture", ["preference"]),
        ("how do I pick between acupuncture and dry needling", ["preference"]),
        pytest.param("help me decide between dry needling and acupuncture", ["preference"]),
        pytest.param(
            "how do I choose between dry needling and acupuncture for back pain",
            ["professional", "preference"],
        ),
    ],
)
def test_choosing_between_modalities(graph: KnowledgeGraph, question: str, has: list[str]) -> None:
    """The article's choice factors, and each modality with what the article says it may suit, each
    statement with its own hedge (dry needling "may be" better for musculoskeletal issues)."""
    reply = ask(graph, question)
    expect(reply, has=has)
    assert reply["interpretation"]["intent"] == "choice_factors"
    modalities = {a["label"]: a for a in reply["answers"] if "facts" in a}
    suits = {
        f["label"]: f.get("hedge") for f in modalities["Dry needling"]["facts"] if f["aspect"] == "may suit"
    }
    assert suits.get("Musculoskeletal issues") == "may be"
    assert "“might be”" in reply["text"] and "“may be”" in reply["text"]


# --- yes/no questions narrow the answer -----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "modality"),
    [
        pytest.param("does acupuncture help sciatica?", "acupuncture"),
        pytest.param("does dry needling help back pain", "dry needling"),
        pytest.param("Does Acupuncture Help Sciatica", "acupuncture"),
    ],
)
def test_yes_no_keeps_only_the_named_modality(graph: KnowledgeGraph, question: str, modality: str) -> None:
    reply = ask(graph, question)
    expect(reply, only={modality})
    expect_costs(reply)


@pytest.mark.parametrize(
    ("question", "not_named"),
    [
        ("does acupuncture help plantar fasciitis?", "acupuncture"),
        ("is acupuncture good for plantar fasciitis", "acupuncture"),
        ("can dry needling help with qi imbalance", "qi imbalance"),
    ],
)
def test_yes_no_the_source_does_not_say_gets_a_no_and_what_it_says(
    graph: KnowledgeGraph, question: str, not_named: str
) -> None:
    """The source answers the question with other things: the reply says it does not say so, and lists what
    it does name, never the thing asked about."""
    reply = ask(graph, question)
    assert reply["text"].startswith("The source does not say so:")
    labels = [a["label"].lower() for a in reply["answers"]]
    assert labels and not [label for label in labels if label.startswith(not_named)]


# --- two steps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "has", "lacks"),
    [
        ("what is the origin of the treatment for plantar fasciitis", ["western"], ["chinese"]),
        ("where does the treatment for plantar fasciitis come from", ["western"], ["chinese"]),
        ("what is the origin of the treatments for sciatica", ["western", "chinese"], []),
        ("what are the risks of the treatments for sciatica", ["soreness", "bruising", "infection"], []),
        ("who performs the treatment for plantar fasciitis", ["physical therap"], ["acupuncturist"]),
        ("what are the benefits of the treatment for plantar fasciitis", ["range of motion"], ["relaxation"]),
    ],
)
def test_two_steps(graph: KnowledgeGraph, question: str, has: list[str], lacks: list[str]) -> None:
    reply = ask(graph, question)
    expect(reply, has=has, lacks=lacks)
    assert reply["interpretation"]["steps"][0] == "treatments_for_condition"


@pytest.mark.parametrize(
    ("question", "modalities"),
    [
        ("how much does the treatment for plantar fasciitis cost", DN),
        ("how much do treatments for back pain cost", BOTH),
    ],
)
def test_two_steps_cost(graph: KnowledgeGraph, question: str, modalities: set[str]) -> None:
    reply = ask(graph, question)
    expect(reply, only=modalities)
    expect_costs(reply)


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        # conditions the source does not cover
        "what treats asthma",
        "acupuncture for migraine",
        "what helps my migraine?",
        "dry needling for diabetes",
        "WHAT TREATS CANCER",
        # off-topic
        "what's the weather today",
        "what is the capital of Italy",
        "give me a recipe for pancakes",
        "how do I bake a chocolate cake",
        pytest.param("who won the world cup"),
        # nonsense and empty-ish
        "asdf qwerty",
        "blah blah",
        "?",
        "!!!",
        # cure claims the source never makes
        "can acupuncture cure back pain",
        "does dry needling cure sciatica",
        "will acupuncture cure my sciatica",
        # topics the source is silent on, recorded in the graph as such
        "how long does a dry needling session last",
        "is acupuncture covered by insurance",
    ],
)
def test_refusals(graph: KnowledgeGraph, question: str) -> None:
    expect_refusal(ask(graph, question))


def test_refusal_names_the_unknown_condition(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what treats asthma")
    assert "asthma" in reply["text"].lower()
    assert reply.get("suggestions"), "a refusal offers questions that work"


# --- the shape of an answer -----------------------------------------------------------------------

# One question per intent (plus two-step ones), with whether its answers come from sourced claims.
SHAPE_CASES = [
    ("what treats sciatica", "treatments_for_condition", True),
    ("how much is acupuncture", "cost_of_modality", True),
    ("treatments under $60", "treatments_under_price", True),
    ("which is cheapest", "cheapest_modality", True),
    ("compare dry needling and acupuncture", "compare_modalities", True),
    ("origin of acupuncture", "origin_of_modality", True),
    ("risks of dry needling", "risks_of_modality", True),
    ("benefits of acupuncture", "benefits_of_modality", True),
    ("who performs dry needling", "practitioners_of_modality", True),
    ("techniques of dry needling", "techniques_of_modality", True),
    ("what does acupuncture target", "targets_of_modality", True),
    ("how does dry needling work", "mechanisms_of_modality", True),
    ("what conditions does acupuncture treat", "conditions_of_modality", True),
    ("what affects the cost of acupuncture", "cost_factors", True),
    ("which therapy gives mental clarity", "modalities_with_property", True),
    ("how do I choose between dry needling and acupuncture", "choice_factors", True),
    ("what is qi", "describe_resource", False),  # a definition in our words, not a claim of the source
    ("what is the origin of the treatment for plantar fasciitis", "origin_of_modality", True),
    ("how much does the treatment for plantar fasciitis cost", "cost_of_modality", True),
    pytest.param("what does the source say about sciatica", "claims_about", True),
]
TREATMENT_INTENTS = {
    "treatments_for_condition",
    "treatments_under_price",
    "cheapest_modality",
    "cost_of_modality",
    "compare_modalities",
    "conditions_of_modality",
}


@pytest.mark.parametrize(("question", "intent", "from_claims"), SHAPE_CASES)
def test_answered_reply_shape(graph: KnowledgeGraph, question: str, intent: str, from_claims: bool) -> None:
    reply = ask(graph, question)
    assert reply["question"] == question
    assert reply["answered"] is True, reply["text"]
    assert isinstance(reply["text"], str) and reply["text"]
    assert reply["interpretation"]["intent"] == intent
    assert reply["query"]["name"] == intent
    assert "SELECT" in reply["query"]["sparql"].upper()
    assert isinstance(reply["query"]["params"], dict)
    for answer in reply["answers"]:
        assert answer["iri"].startswith("http"), answer
        assert answer["label"]
        assert isinstance(answer["sources"], list)
        if from_claims:
            assert answer["sources"], f"{answer['label']} has no source"
            for source in answer["sources"]:
                assert source["title"] == ARTICLE
                assert source["section"], f"{answer['label']} cites no section"
    if intent in TREATMENT_INTENTS:
        assert "not medical advice" in reply["note"].lower()


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("what treats plantar fasciitis and what does it cost", "the “Plantar Fasciitis” section"),
        ("what helps sciatica", "the paragraphs on sciatica"),
        ("what helps back pain", "the “Back Pain” section"),
    ],
)
def test_treatment_answers_cite_the_condition_section(
    graph: KnowledgeGraph, question: str, section: str
) -> None:
    reply = ask(graph, question)
    for answer in reply["answers"]:
        assert {"title": ARTICLE, "section": section} in answer["sources"], answer["sources"]


def test_entities_record_what_was_linked(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what helps siatica")
    entities = reply["interpretation"]["entities"]
    assert [e["iri"] for e in entities] == [NKG + "sciatica"]
    assert 0 < entities[0]["score"] < 1, "a typo links with a score below 1"
    exact = ask(graph, "what helps sciatica")["interpretation"]["entities"]
    assert exact[0]["score"] == 1.0


def test_refusal_reply_shape(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what treats asthma")
    assert reply["question"] == "what treats asthma"
    assert reply["answered"] is False
    assert reply["answers"] == []
    assert "intent" in reply["interpretation"]


def test_render_answer_shows_labels_costs_and_note(graph: KnowledgeGraph) -> None:
    shown = render_answer(ask(graph, "what treats sciatica"))
    assert "Dry needling" in shown and "Acupuncture" in shown
    assert "50–150" in shown and "70–150" in shown
    assert "not medical advice" in shown
    declined = render_answer(ask(graph, "what treats asthma"))
    assert "asthma" in declined.lower()


# --- intents and synonyms are data ----------------------------------------------------------------


def _declared_prefixes(ttl: Path) -> set[str]:
    return set(re.findall(r"^@prefix\s+(\w*):", ttl.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_a_new_altlabel_is_a_new_synonym(graph: KnowledgeGraph, graph_copy: Path) -> None:
    question = "what treats ischialgia"
    ttl = graph_copy / "needling.ttl"
    assert {"nkg", "skos"} <= _declared_prefixes(ttl)
    with ttl.open("a", encoding="utf-8") as out:
        out.write('\nnkg:sciatica skos:altLabel "ischialgia"@en .\n')
    edited = graph_of(ttl, graph_copy / "queries")

    reply = ask(edited, question)
    expect(reply, only=BOTH)
    expect_costs(reply)
    assert reply["interpretation"]["entities"][0]["iri"] == NKG + "sciatica"

    expect_refusal(ask(graph, question))


def test_a_new_cue_word_is_a_new_way_to_ask(graph: KnowledgeGraph, graph_copy: Path) -> None:
    rq = graph_copy / "queries" / "cost_of_modality.rq"
    lines = rq.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("# cue:"))
    lines.insert(at + 1, "# cue: zorbify\n")
    rq.write_text("".join(lines), encoding="utf-8")
    edited = graph_of(graph_copy / "needling.ttl", graph_copy / "queries")

    reply = ask(edited, "zorbify acupuncture")
    expect(reply, only=ACU)
    expect_costs(reply)
    assert reply["interpretation"]["intent"] == "cost_of_modality"

    before = ask(graph, "zorbify acupuncture")
    assert before["interpretation"]["intent"] != "cost_of_modality"
    assert not any("cost" in a for a in before["answers"])


# --- two questions in one ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "has"),
    [
        ("what are the risks and benefits of acupuncture", ["bruising", "infection", "relaxation"]),
        ("what are the risks of dry needling and how much does it cost", ["soreness", "dry needling"]),
        ("who performs dry needling and what does it cost", ["physical therapist", "dry needling"]),
        ("origin and cost of acupuncture", ["traditional chinese medicine", "acupuncture"]),
    ],
)
def test_both_parts_of_a_question_are_answered(graph: KnowledgeGraph, question: str, has: list[str]) -> None:
    reply = ask(graph, question)
    assert reply["answered"] is True
    found = labels(reply)
    for term in has:
        assert any(term in label for label in found), (term, found)
    assert reply["interpretation"]["also"]["intent"] != reply["interpretation"]["intent"]


def test_a_cost_part_puts_the_cost_on_the_modality(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what are the risks of acupuncture and how much does it cost")
    acupuncture = next(a for a in reply["answers"] if a["label"] == "Acupuncture")
    assert (acupuncture["cost"]["min"], acupuncture["cost"]["max"]) == COSTS["acupuncture"]


def test_a_row_cap_smaller_than_the_vocabulary_loses_no_word(graph: KnowledgeGraph) -> None:
    """The cap guards answers to clients; the answerer reads every label (at 10^6 triples the lexicon has
    about 35,000 rows, and one capped at 10,000 lost trigger points)."""
    small_cap = KnowledgeGraph(graph.store, graph.catalogue, row_cap=20)
    assert small_cap.run("lexicon").truncated
    for question, answer in (
        ("Which treatment targets trigger points?", {"dry needling"}),
        ("What does acupuncture target?", None),
    ):
        expected = labels(ask(graph, question))
        reply = ask(small_cap, question)
        expect(reply, only=answer or set(expected))
