"""Questions that pick one of the two by what they name (a complaint, a target, an approach, a budget), ask
what the two share, or ask several things at once. Each test says what a reader sees: which modality is
an answer and which is not, what the text says, and that every hedge stays with its own statement."""

from __future__ import annotations

import pytest
from helpers import answer_labels, answered

from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.qa.model import Reply

ask = answered
labels = answer_labels


# --- a choice the question's own words settle ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "picked", "other", "hedge"),
    [
        (
            "my problem is muscle tension, so acupuncture or dry needling?",
            "dry needling",
            "acupuncture",
            "may be",
        ),
        (
            "trigger points in my shoulder: which of the two should I go for?",
            "dry needling",
            "acupuncture",
            "may be",
        ),
        ("I'm after an evidence-based focus, which one?", "dry needling", "acupuncture", "others may"),
        ("I prefer a holistic approach, which of them fits?", "acupuncture", "dry needling", "some may"),
    ],
)
def test_a_choice_named_by_what_the_article_says_each_suits_answers_with_that_one(
    graph: KnowledgeGraph, question: str, picked: str, other: str, hedge: str
) -> None:
    reply = ask(graph, question)
    names = labels(reply)
    assert picked in names
    assert other not in names  # the other side is no answer to "which"
    assert f"“{hedge}”" in reply["text"]


def test_a_value_of_each_side_pairs_each_with_its_modality(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "muscle tension versus qi imbalance, which needle therapy for which?")
    assert {"dry needling", "acupuncture"} <= labels(reply)
    text = reply["text"].lower()
    assert "dry needling" in text and "muscle tension" in text and "qi imbalance" in text
    assert "“might be”" in reply["text"] and "“may be”" in reply["text"]


def test_a_choice_for_a_target_of_one_side_lists_no_items_of_the_other(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "dry needling vs acupuncture for knots in my muscles?")
    names = labels(reply)
    assert "dry needling" in names
    assert not any("acupuncture" in n or n in ("meridians", "qi") for n in names)
    # the side by side in the text still says what acupuncture works on
    assert "meridians" in reply["text"].lower()


def test_a_premise_about_one_side_still_sets_that_side_right(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "so acupuncture is the western medicine one, unlike dry needling?")
    assert "traditional chinese medicine" in labels(reply)
    assert "western conventional medicine" in labels(reply)


@pytest.mark.parametrize(
    ("question", "condition", "favoured"),
    [
        (
            "does acupuncture or dry needling work better for plantar fasciitis",
            "plantar fasciitis",
            "often considered",
        ),
        ("dry needling and acupuncture, which works best for sciatica?", "sciatica", "may offer"),
    ],
)
def test_which_works_better_for_a_condition_is_the_choice_for_it_not_how_each_works(
    graph: KnowledgeGraph, question: str, condition: str, favoured: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "choice_factors"
    assert f"for {condition}" in reply["text"].lower()
    assert f"“{favoured}”" in reply["text"]


def test_a_budget_between_the_two_answers_with_the_one_it_allows(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "acupuncture or dry needling, which can I have for under $65 a session?")
    assert reply["interpretation"]["intent"] == "treatments_under_price"
    assert labels(reply) == {"dry needling"}
    assert "$65" in reply["text"]


# --- what the two share -----------------------------------------------------------------------------


def test_what_both_treat_is_only_what_the_article_names_for_both(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what conditions do the two have in common?")
    names = labels(reply)
    assert {"back pain", "sciatica"} <= names
    assert (
        "plantar fasciitis" not in names
        and "qi imbalance (as traditional chinese medicine views it)" not in names
    )
    assert reply["text"].startswith("Named for both: back pain and sciatica.")


def test_named_for_both_counts_modalities_not_statements(graph: KnowledgeGraph) -> None:
    """A thing said of acupuncture and of acupuncture for back pain is one modality's, not both's."""
    reply = ask(graph, "how do dry needling and acupuncture work, side by side?")
    said = reply["text"].split("Named for both:")[-1].lower() if "Named for both:" in reply["text"] else ""
    for own in ("meridians", "acupuncture points", "trigger points", "muscle knots"):
        assert own not in said


# --- several things asked at once -------------------------------------------------------------------


def test_three_aspects_in_one_question_are_all_answered(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "acupuncture: price, risks, and who offers it?")
    names = labels(reply)
    assert "soreness" in names
    assert any("acupuncturist" in n for n in names)
    assert any(a.get("cost") for a in reply["answers"])


# --- names and how surely the source says it --------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Traditional Chinese Medicine acupuncture, what is the price per visit?", "cost_of_modality"),
        ("western medicine dry needling: what are the risks?", "risks_of_modality"),
    ],
)
def test_an_origin_said_before_a_modality_is_part_of_its_name(
    graph: KnowledgeGraph, question: str, intent: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == intent


def test_a_bare_origin_and_modality_is_still_asked_about(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "is dry needling western medicine")
    assert "western conventional medicine" in labels(reply)


def test_how_a_modality_helps_a_condition_says_how_surely_it_treats_it(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "so how does dry needling help with sciatica then?")
    assert "dry needling (the source says “can be”) a possible treatment for sciatica" in reply["text"]
    assert "releasing muscle tension" in reply["text"]


def test_why_the_price_range_is_wide_is_what_the_price_depends_on(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "how come acupuncture has such a range in price?")
    assert {"location", "practitioner expertise"} <= labels(reply)


# --- does it work for this --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "modality", "hedge"),
    [
        ("does dry needling actually work for plantar fasciitis?", "dry needling", "often considered"),
        ("whether or not acupuncture helps back pain, what does the article say?", "acupuncture", None),
    ],
)
def test_whether_a_modality_works_for_a_condition_answers_with_that_modality(
    graph: KnowledgeGraph, question: str, modality: str, hedge: str | None
) -> None:
    reply = ask(graph, question)
    first = reply["answers"][0]
    assert first["label"].lower() == modality  # "whether or not X" asks about X, not the other one
    if hedge:
        assert f"“{hedge}”" in reply["text"]


def test_a_modality_the_article_does_not_name_for_a_condition_gets_a_no(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "will acupuncture work for plantar fasciitis?")
    assert reply["text"].startswith("The source does not say so")
    assert labels(reply) == {"dry needling"}


# --- two steps --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "who would offer the therapy aimed at trigger points?",
            {"licensed physical therapist", "licensed chiropractor"},
        ),
        (
            "what techniques does the sciatica needle therapy use that targets muscles?",
            {"superficial dry needling"},
        ),
        (
            "the techniques of the plantar fasciitis treatment?",
            {"deep dry needling", "superficial dry needling"},
        ),
        (
            "what can go wrong with the treatment that people say leaves them relaxed?",
            {"bruising", "soreness"},
        ),
    ],
)
def test_a_thing_asked_of_the_modality_a_description_names(
    graph: KnowledgeGraph, question: str, expected: set[str]
) -> None:
    assert expected <= labels(ask(graph, question))


# --- typos read with the words beside them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "typed", "meant"),
    [
        ("drie needling for sciatica?", "drie", "dry"),
        ("what is a local twich response", "twich", "twitch"),
    ],
)
def test_a_typo_is_read_as_the_word_that_completes_a_name_beside_it(
    graph: KnowledgeGraph, question: str, typed: str, meant: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["corrections"][typed] == meant


# --- what the article gives no figure for, and practices it does not discuss --------------------------


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("how many meridians does acupuncture use?", "counts and figures"),
        ("what percentage of acupuncture patients bruise?", "counts and figures"),
        ("are chiropractic adjustments better than acupuncture for back pain?", "chiropractic adjustments"),
        ("does acupuncture sting more than a flu shot?", "wet needling and injections"),
    ],
)
def test_a_number_or_practice_the_article_does_not_give_is_named_as_not_in_the_source(
    graph: KnowledgeGraph, question: str, topic: str
) -> None:
    reply = answer_question(graph, question)
    Reply.model_validate(reply)
    assert any(t.startswith(topic) for t in reply.get("not_in_source", [])), reply["text"]
    assert f"does not discuss {topic}" in reply["text"]


def test_how_likely_a_risk_is_answered_in_the_articles_words(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "how likely is an infection after dry needling?")
    assert "infection" in labels(reply)
    assert "rare" in reply["text"]
    assert "not_in_source" not in reply


def test_how_many_of_a_list_is_the_list(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "how many techniques of dry needling are there?")
    assert {"superficial dry needling", "deep dry needling"} <= labels(reply)
    assert "not_in_source" not in reply


# --- "definitely", "always": how surely the source says it -----------------------------------------


@pytest.mark.parametrize(
    ("question", "hedge"),
    [
        ("is acupuncture certain to bring mental clarity?", "often report"),
        ("does dry needling always improve range of motion?", "potential"),
    ],
)
def test_a_question_asking_for_certainty_is_told_the_sources_hedge_first(
    graph: KnowledgeGraph, question: str, hedge: str
) -> None:
    reply = ask(graph, question)
    assert reply["text"].startswith("Not for certain: the source hedges it")
    assert f"“{hedge}”" in reply["text"].split(".")[0]


def test_a_plain_question_gets_no_certainty_note(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "does acupuncture bring mental clarity?")
    assert not reply["text"].startswith("Not for certain")


# --- more kinds: "only", a bare name, a yes about a value, what came first --------------------------


def test_only_one_practitioner_asked_about_gets_every_practitioner(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "is it only chiropractors who can offer dry needling?")
    assert {"licensed chiropractor", "licensed physical therapist"} <= labels(reply)


@pytest.mark.parametrize(
    ("question", "modality"), [("trigger points?", "dry needling"), ("qi?", "acupuncture")]
)
def test_a_bare_name_also_gets_the_modality_it_belongs_to(
    graph: KnowledgeGraph, question: str, modality: str
) -> None:
    assert modality in labels(ask(graph, question))


def test_a_yes_about_a_modality_and_a_value_lists_both(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "does acupuncture modulate the nervous system?")
    assert {"acupuncture", "modulating the nervous system"} <= labels(reply)
    assert all(a["sources"] for a in reply["answers"])


def test_a_preference_for_evidence_picks_the_evidence_based_one(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "evidence matters most to me, so which of the two?")
    assert "dry needling" in labels(reply) and "acupuncture" not in labels(reply)
    assert "“others may”" in reply["text"]


def test_asking_for_the_evidence_itself_is_a_silence(graph: KnowledgeGraph) -> None:
    reply = answer_question(graph, "what evidence is there that acupuncture works?")
    assert any("scientific studies" in t for t in reply.get("not_in_source", []))


def test_which_came_first_is_not_in_the_source(graph: KnowledgeGraph) -> None:
    reply = answer_question(graph, "dry needling or acupuncture - which one came first?")
    assert any("who invented" in t for t in reply.get("not_in_source", []))


def test_a_typo_read_as_a_covered_name_stays_so(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "can acupuncture cause an infecton?")
    assert reply["interpretation"]["corrections"]["infecton"] == "infection"
    assert "infection" in labels(reply)


# --- denials, "for both", "besides", shorthand ------------------------------------------------------


def test_the_therapy_not_named_for_a_condition_is_the_other_one(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "which of the two isn't recommended for plantar fasciitis?")
    assert labels(reply) == {"acupuncture"}
    assert "links dry needling to it" in reply["text"]


def test_a_denied_value_of_both_says_both(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "which one is not for back pain?")
    assert reply["text"] == "The source links both to back pain."
    assert labels(reply) == {"dry needling", "acupuncture"}


def test_a_question_asked_of_the_modality_a_denial_leaves(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "who offers the therapy that doesn't target meridians?")
    assert reply["text"].startswith("The one the source does not link to meridians is dry needling.")
    assert {"licensed physical therapist", "licensed chiropractor"} <= labels(reply)


def test_a_denial_beside_another_thing_asked_is_no_choice_of_modality(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "something for relaxation, not for tight muscles - which one?")
    assert "acupuncture" in labels(reply)
    assert "does not link to" not in reply["text"]


def test_one_therapy_for_both_conditions_is_what_treats_each(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "sciatica and plantar fasciitis - is there one therapy for both?")
    assert labels(reply) == {"dry needling"}


def test_both_of_them_is_the_two_modalities_not_the_conditions(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "do both of them treat plantar fasciitis and sciatica?")
    assert "acupuncture" in labels(reply)


def test_what_else_besides_a_condition_leaves_it_out_of_the_answers(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what else does acupuncture help with besides back pain?")
    assert "sciatica" in labels(reply) and "back pain" not in labels(reply)


def test_a_side_by_side_for_a_condition_is_what_each_does_there(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "sciatica: dry needling vs acupuncture, how does each work?")
    text = reply["text"]
    assert "for dry needling, releasing muscle tension" in text
    assert "easing the imbalances behind sciatic pain" in text and "endorphins" not in text


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("quick q re my appt tmrw: does acu hurt after?", "risks_of_modality"),
        ("wats the price of DN w/ a physio?", "cost_of_modality"),
        ("DN techniques: superficial vs deep?", "techniques_of_modality"),
    ],
)
def test_chat_shorthand_is_read(graph: KnowledgeGraph, question: str, intent: str) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == intent
    assert "not_in_source" not in reply


def test_why_a_modality_is_called_something_gives_what_the_article_says_that_thing_is(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(graph, "why is acupuncture described as holistic?")
    assert "overall balance of energy" in reply["text"]


def test_a_which_over_several_values_answers_for_the_one_it_asks_about(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "I'm tense and tired, which therapy is said to give relaxation?")
    assert labels(reply) == {"acupuncture"}
    assert "“often report”" in reply["text"]


def test_a_cost_per_month_is_the_price_per_session(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "dry needling weekly, what would that cost a month?")
    assert reply["interpretation"]["intent"] == "cost_of_modality"
    assert "per session" in reply["text"]


def test_what_a_technique_is_aimed_at_is_the_techniques_own_target(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "in deep dry needling, where do the needles go?")
    assert labels(reply) == {"deep dry needling", "deeper muscle layers"}
    assert reply["text"].startswith("In deep dry needling, dry needling is aimed at")


def test_the_practitioners_asked_about_beside_a_premise_are_all_listed(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "physios cannot do dry needling, only acupuncturists - true?")
    assert {"licensed physical therapist", "licensed chiropractor"} <= labels(reply)


def test_a_yes_about_one_modality_has_it_as_the_first_answer(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "my calves are tight - would acupuncture do anything for them?")
    assert reply["answers"][0]["label"] == "Acupuncture"
    reply = ask(graph, "is acupuncture safe?")
    assert "acupuncture" not in labels(reply)  # a safety question is answered by the risks alone


@pytest.mark.parametrize(
    ("question", "modalities"),
    [("plantar fasciitis price", {"dry needling"}), ("sciatica costs?", {"dry needling", "acupuncture"})],
)
def test_a_condition_and_a_price_is_the_price_of_what_treats_it(
    graph: KnowledgeGraph, question: str, modalities: set[str]
) -> None:
    reply = ask(graph, question)
    assert {a["label"].lower() for a in reply["answers"] if a.get("cost")} == modalities


def test_a_broad_complaint_with_a_modality_is_no_no_when_a_benefit_is_named_after_it(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(graph, "acupuncture for stress?")
    assert not reply["text"].startswith("The source does not say so")
    assert {"acupuncture", "stress reduction"} <= labels(reply)


def test_asking_whether_the_article_puts_it_that_strongly_gets_its_hedge(graph: KnowledgeGraph) -> None:
    reply = ask(
        graph, "a flyer says dry needling improves flexibility - does the article put it that strongly?"
    )
    assert reply["text"].startswith("Not for certain: the source hedges it")
    assert "“potential”" in reply["text"]


def test_why_a_modality_is_favoured_for_a_condition_gives_what_it_does_there(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "why would dry needling be the pick for plantar fasciitis?")
    assert "targeted, localized approach" in reply["text"]
    assert "foot and calf" in reply["text"]


def test_combining_both_for_a_condition_is_the_combination_not_a_side_by_side(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "could using both together help my sciatica?")
    assert reply["interpretation"]["intent"] == "combined_treatment"
    assert "“may offer”" in reply["text"]


def test_prices_that_change_from_place_to_place_are_the_cost_factors(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "why does dry needling cost differ from place to place?")
    assert {"location", "practitioner expertise"} <= labels(reply)


def test_who_does_it_beside_another_part_is_answered_too(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "who offers acupuncture, and does it help back pain?")
    assert "acupuncturist" in labels(reply)
    assert "back pain" in reply["text"].lower()


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("which of them carries more risk?", "which of the two carries more risk"),
        ("which one hurts less?", "which of the two hurts less"),
        ("which is gentler?", "which of the two is gentler"),
    ],
)
def test_a_ranking_the_article_does_not_make_is_said_as_asked(
    graph: KnowledgeGraph, question: str, said: str
) -> None:
    assert f"The article does not say {said}." in ask(graph, question)["text"]
