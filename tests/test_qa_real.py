"""Questions as people type them: misspelt ordinary words, filler, comparisons and choices, topics the article
does not cover, how and why, and claims retrieved when no named query fits. Each test is about a kind of
question and says what a reader sees: the answers' labels, the text, the hedges, what is not in the source."""

from __future__ import annotations

import pytest

from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.qa.model import Reply


def ask(graph: KnowledgeGraph, question: str) -> dict:
    reply = answer_question(graph, question)
    Reply.model_validate(reply)  # every reply keeps to the typed contract
    return reply


def labels(reply: dict) -> set[str]:
    return {a["label"].lower() for a in reply["answers"]}


def hedges_of(reply: dict, label: str) -> dict[str, str | None]:
    """The hedge of each statement behind one answer, by what the statement is about."""
    answer = next(a for a in reply["answers"] if a["label"].lower() == label)
    if "hedges" in answer:
        return {h["for"]: h.get("hedge") for h in answer["hedges"]}
    return {"": answer.get("hedge")}


# --- ordinary words misspelt ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent", "read"),
    [
        ("what are the benifits of acupuncture", "benefits_of_modality", {"benifits": "benefits"}),
        ("acupuncture complcations", "risks_of_modality", {"complcations": "complications"}),
        ("what techiques does dry needling use", "techniques_of_modality", {"techiques": "techniques"}),
        ("how much dose acupunture cost", "cost_of_modality", {"acupunture": "acupuncture"}),
        ("wich therapys treat siatica", "treatments_for_condition", {"siatica": "sciatica"}),
    ],
)
def test_misspelt_ordinary_words_are_read_as_meant(
    graph: KnowledgeGraph, question: str, intent: str, read: dict[str, str]
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert reply["interpretation"]["intent"] == intent
    corrections = reply["interpretation"].get("corrections", {})
    assert read.items() <= corrections.items()


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("does acupuncture cost mor in a city", {"mor": "more"}),  # "for", "or": no slip makes them
        ("hiw much is dry needling", {"hiw": "how"}),  # o is beside i; "hit" takes a key far off
        ("wher did acupuncture start", {"wher": "where"}),  # a letter left out, not "when"
        ("is dry needling any use for sciatia", {"sciatia": "sciatica"}),  # not "sciatic"
    ],
)
def test_a_typo_as_near_to_two_words_is_read_as_the_slip_people_make(
    graph: KnowledgeGraph, question: str, read: dict[str, str]
) -> None:
    corrections = ask(graph, question)["interpretation"].get("corrections", {})
    assert read.items() <= corrections.items()


def test_a_real_word_is_not_corrected(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what are the risks of dry needling")
    assert "corrections" not in reply["interpretation"]


# --- filler is left aside ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("dry needling soreness afterwards?", "soreness"),
        ("honestly, what does acupuncture cost these days", "acupuncture"),
        ("my friend keeps asking me what the risks of acupuncture are", "infection"),
        ("quick one - what techniques does dry needling have, pray tell", "deep dry needling"),
        ("up at 3am again, I memorised the leaflet: what can go wrong with dry needling", "infection"),
    ],
)
def test_filler_words_do_not_sink_the_question(graph: KnowledgeGraph, question: str, expected: str) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert expected in labels(reply)
    assert "not_in_source" not in reply
    assert reply["interpretation"].get("ignored"), "the filler is reported as left aside"


# --- topics the article does not cover ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("what are the risks of acupuncture for people with fibromyalgia", "fibromyalgia"),
        ("how much is dry needling for migraines", "migraine"),
    ],
)
def test_an_uncovered_topic_is_named_and_the_rest_answered_as_general(
    graph: KnowledgeGraph, question: str, topic: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"]
    assert topic in reply["not_in_source"]
    assert reply["text"].startswith(f"The article does not discuss {topic}. In general:")
    assert reply["answers"]


@pytest.mark.parametrize(
    "question",
    [
        "can acupuncture cure back pain",
        "does insurance cover dry needling",
        "does acupuncture help fibromyalgia",
        "what treats asthma",
        "zorbify acupuncture",
    ],
)
def test_a_question_only_about_what_the_article_does_not_cover_is_declined(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"] is False or reply.get("not_in_source"), reply["text"]
    if reply["answered"] is False:
        assert reply["answers"] == []


# --- comparisons on the aspect asked, and what the two share -----------------------------------------


def test_which_carries_more_risk_gives_each_its_own_risks_with_their_hedges(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "which of the two carries more risk")
    assert {"soreness", "bruising", "infection"} <= labels(reply)
    assert hedges_of(reply, "infection") == {
        "dry needling": "in rare cases",
        "acupuncture": "in rare instances",
    }
    assert "does not rank the two" in reply["text"]


@pytest.mark.parametrize(
    "question", ["how are they alike", "what do dry needling and acupuncture have in common"]
)
def test_what_they_share(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "common_ground"
    assert {"thin needle", "pain relief", "soreness"} <= labels(reply)
    assert "hold many similarities" in reply["text"]
    assert hedges_of(reply, "pain relief") == {"": "aim to"}


def test_are_they_the_same_says_how_they_differ_too(graph: KnowledgeGraph) -> None:
    text = ask(graph, "aren't they basically the same thing")["text"]
    assert "Western conventional medicine" in text and "Traditional Chinese Medicine" in text


def test_a_comparison_on_origin_answers_origins(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "dry needling vs acupuncture, where does each come from")
    text = reply["text"]
    assert "Western conventional medicine" in text and "Traditional Chinese Medicine" in text


@pytest.mark.parametrize(
    ("question", "origin"),
    [
        ("is acupuncture from China?", "Traditional Chinese Medicine"),
        ("was dry needling invented in china", "Western"),
    ],
)
def test_a_place_people_search_by_finds_the_tradition_named_after_it(
    graph: KnowledgeGraph, question: str, origin: str
) -> None:
    # "China" is a hidden label of Traditional Chinese Medicine: a question finds the tradition by it
    reply = ask(graph, question)
    assert reply["answered"] and origin in reply["text"]


def test_who_may_offer_it_says_licensed_without_calling_licensing_uncovered(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "does whoever does dry needling have to be licensed?")
    assert reply["answered"] and not reply.get("not_in_source")
    assert "licensed physical therapist" in labels(reply)


def test_a_yes_or_no_value_is_no_word_a_question_can_meet(graph: KnowledgeGraph) -> None:
    # "true" in "too good to be true" is no reason to show that dry needling's performer must be licensed: true
    reply = ask(graph, "dry needling sounds too good to be true, what's the catch?")
    assert "true" not in reply["text"] and {"soreness", "bruising", "infection"} <= labels(reply)


def test_which_one_has_a_property(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "which one of the two is more holistic")
    assert labels(reply) == {"acupuncture"}


# --- choosing ----------------------------------------------------------------------------------------


def test_which_should_i_choose_gives_the_choice_factors_each_with_its_hedge(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "needling or acupuncture, which one is right for me")
    assert reply["interpretation"]["intent"] == "choice_factors"
    assert {"nature of the condition", "personal preference and comfort"} <= labels(reply)
    text = reply["text"]
    assert "Musculoskeletal issues (the source says “may be”)" in text.replace(
        "musculoskeletal", "Musculoskeletal"
    )
    assert "(the source says “might be”)" in text
    assert "can give useful insight" in text


def test_choosing_for_plantar_fasciitis_follows_the_article(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "for plantar fasciitis would you pick acupuncture")
    assert "dry needling" in labels(reply) and "acupuncture" not in labels(reply)
    assert "favours dry needling (the source says “often considered”)" in reply["text"]
    assert "no acupuncture treatment for plantar fasciitis" in reply["text"]


def test_choosing_for_sciatica_names_both_and_the_combination(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "sciatica: should I get dry needling or acupuncture")
    assert {"dry needling", "acupuncture"} <= labels(reply)
    assert "“may offer”" in reply["text"]
    assert "“essential”" in reply["text"]


# --- how, why and what for ---------------------------------------------------------------------------


def test_why_would_it_relieve_a_condition_says_how_it_works_there(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "why would acupuncture relieve back pain")
    assert reply["interpretation"]["intent"] == "mechanisms_of_modality"
    assert {"modulating the nervous system", "releasing endorphins"} <= labels(reply)
    assert hedges_of(reply, "releasing endorphins") == {"": "can"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("are stretches part of treating sciatica", {"stretching exercises", "lifestyle changes"}),
        ("should I use both together for sciatica", {"synergistic effect"}),
    ],
)
def test_combination_and_plan_questions(graph: KnowledgeGraph, question: str, expected: set[str]) -> None:
    reply = ask(graph, question)
    assert expected <= labels(reply)


# --- claims retrieved when no named query fits -------------------------------------------------------


def test_retrieved_claims_come_with_their_section_and_hedge(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "does acupuncture affect the nervous system")
    assert reply["answered"]
    claims = [a for a in reply["answers"] if "statement" in a]
    assert claims, reply["interpretation"]["intent"]
    nervous = next(a for a in claims if "nervous system" in a["label"].lower())
    assert nervous["hedge"] == "can"
    assert nervous["sources"][0]["section"] == "the “Back Pain” section"


def test_nothing_near_enough_is_refused_rather_than_guessed(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what colour is the waiting room")
    assert reply["answered"] is False


@pytest.mark.parametrize(
    "question", ["superficial vs deep dry needling", "deep or superficial dry needling?"]
)
def test_two_things_of_one_kind_side_by_side(graph: KnowledgeGraph, question: str) -> None:
    """A word before "vs" or "or" shares the name after it ("superficial [dry needling]"): each is said."""
    reply = ask(graph, question)
    assert {"superficial dry needling", "deep dry needling"} <= labels(reply)
    assert "skin" in reply["text"] and "deeper layers of muscle" in reply["text"]


# --- which does which, bare names, words the graph alone uses --------------------------------------------


@pytest.mark.parametrize(
    ("question", "pairs"),
    [
        # values: each one with the modality the source links to it
        ("range of motion or relaxation - which therapy gives which?", {"dry needling", "acupuncture"}),
        # conditions, when nothing else is named, are the values to pair
        ("muscle tension vs qi imbalance, which needling for which", {"dry needling", "acupuncture"}),
    ],
)
def test_which_does_which_pairs_each_thing_with_its_modality(
    graph: KnowledgeGraph, question: str, pairs: set[str]
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert labels(reply) >= pairs
    sentences = [s for s in reply["text"].split(". ") if s]
    assert len(sentences) >= 2  # one statement for each thing asked about, not one list for both
    assert "may suit" not in reply["text"]  # not the general advice on choosing


def test_a_bare_name_gets_what_the_article_ties_it_to(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "local twitch response")
    assert reply["interpretation"]["intent"] == "describe_resource"
    assert "dry needling" in reply["text"].lower()  # the modality whose mechanism it is, with its section
    assert "Back Pain" in reply["text"]


def test_a_word_only_the_graph_uses_finds_its_claims(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "endorphins?")
    assert reply["answered"], reply["text"]
    assert "acupuncture" in reply["text"].lower()
    assert "“can”" in reply["text"]  # the hedge of the statement it is found in
    assert not ask(graph, "who won the world cup")["answered"]  # common words alone still find nothing


def test_a_class_word_of_the_question_meets_claims_of_that_relation(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what does deep dry needling target")
    assert reply["answered"], reply["text"]
    assert "muscle" in reply["text"].lower()


@pytest.mark.parametrize("contrast", ["instead of", "rather than", "over"])
def test_a_name_left_short_after_a_contrast_is_the_same_kind(graph: KnowledgeGraph, contrast: str) -> None:
    reply = ask(graph, f"why pick deep dry needling {contrast} superficial")
    assert reply["answered"], reply["text"]
    assert labels(reply) == {"deep dry needling", "superficial dry needling"}
    assert "skin" in reply["text"] and "deeper" in reply["text"]  # what each one is, side by side


@pytest.mark.parametrize("word", ["specialisation", "specialisaton"])
def test_a_word_of_the_source_is_no_unknown_topic(graph: KnowledgeGraph, word: str) -> None:
    """A rare word the source's statements use (a relation's name, British-spelt or misspelt) is read,
    not refused as a topic the article does not discuss."""
    reply = ask(graph, f"is dry needling a {word} of physical therapy")
    assert reply["answered"], reply["text"]
    assert "not_in_source" not in reply
    assert "physical therap" in reply["text"].lower()


@pytest.mark.parametrize(
    ("question", "said_of", "silent_on", "word"),
    [
        (
            "dry needling or acupuncture - which is accepted more widely?",
            "acupuncture",
            "dry needling",
            "widely",
        ),
        ("endorphins: dry needling vs acupuncture", "acupuncture", "dry needling", "endorphin"),
    ],
)
def test_a_comparison_on_a_point_no_query_covers_says_what_each_side_has(
    graph: KnowledgeGraph, question: str, said_of: str, silent_on: str, word: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    text = reply["text"].lower()
    assert word in text and said_of in text
    assert f"nothing of the kind about {silent_on}" in text  # the other side is not made to say it
    assert said_of in labels(reply)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("does acupuncture help with stress", "stress reduction"),
        ("can acupuncture do anything for pain", "pain management"),
    ],
)
def test_a_broad_complaint_meets_what_the_source_says_eases_it(
    graph: KnowledgeGraph, question: str, expected: str
) -> None:
    """The source names no treatment for stress or pain as such, but benefits whose names hold them."""
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert expected in reply["text"].lower()
    first = reply["answers"][0]["label"].lower()
    assert first.startswith("acupuncture")  # the statements about the modality asked come first


@pytest.mark.parametrize(
    "question", ["what treats stress", "stressed all the time, which needle thing is for me"]
)
def test_what_treats_a_broad_complaint_is_what_the_source_says_eases_it(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"] and labels(reply) == {"acupuncture"}
    assert "stress reduction" in reply["text"]


def test_why_gets_what_the_article_says_the_thing_named_is_for(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "why does acupuncture work on the meridians")
    assert reply["answered"], reply["text"]
    assert "Qi" in reply["text"]
    assert "“are believed to”" in reply["text"]  # the reason keeps the source's hedge
    plain = ask(graph, "does acupuncture work on the meridians")
    assert "In the article:" not in plain["text"]  # not asked why: no reasons


@pytest.mark.parametrize(
    ("question", "said"),
    [("acupuncture and the meridians", "“are believed to”"), ("does acupuncture target qi", "vital energy")],
)
def test_a_named_thing_the_answer_confirms_gets_what_the_article_says_it_is(
    graph: KnowledgeGraph, question: str, said: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert said in reply["text"]


def test_a_term_the_article_does_not_define_gets_what_it_says_of_it(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what are trigger points")
    text = reply["text"]
    assert "does not define" in text and "not from the article" in text  # ours, said to be ours
    assert "dry needling targets trigger points" in text.lower()  # and the article's own statements
    assert text.count("dry needling targets trigger points") == 1  # one statement, its sections together


@pytest.mark.parametrize(
    ("question", "unasked"),
    [
        ("which one works faster", "faster"),
        ("is one of them more scientific than the other", "more scientific"),
    ],
)
def test_a_comparison_the_graph_has_no_words_for_is_said_to_be_unanswered(
    graph: KnowledgeGraph, question: str, unasked: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert unasked in reply.get("not_in_source", [])
    assert reply["text"].startswith(f"The article does not say which of the two is {unasked}.")


def test_a_practitioner_stands_for_what_they_practise_in_retrieved_claims(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "my acupuncturist talks about qi constantly, is it a real thing?")
    assert reply["answered"], reply["text"]
    assert "acupuncture targets qi" in reply["text"].lower()
    assert "“aims to”" in reply["text"]


@pytest.mark.parametrize(
    ("question", "where"),
    [
        ("my chiro does dry needling for $45, is that normal?", "below"),
        ("got quoted 120 dollars for dry needling, fair?", "within"),
        ("a clinic wants $180 for dry needling - legit?", "above"),
    ],
)
def test_an_amount_beside_a_modality_is_set_against_the_source_price(
    graph: KnowledgeGraph, question: str, where: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "cost_of_modality"
    assert f"is {where} the range it gives for dry needling ($50–150 per session)" in reply["text"]


@pytest.mark.parametrize(
    "question",
    ["anything under 60 dollars for back pain", "anything for back pain under sixty bucks?"],
)
def test_an_amount_with_its_unit_is_a_price_limit_not_a_request_for_prices(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "treatments_under_price"
    assert labels(reply) == {"dry needling"}  # acupuncture's range starts at $70
    assert "less than $60" in reply["text"]


def test_a_yes_or_no_about_a_modality_and_a_thing_it_is_not_linked_to_is_a_definite_no(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(graph, "does dry needling bring mental clarity")
    assert reply["text"].startswith("The source does not say so")
    assert "improved flexibility" in reply["text"]  # and what the source does name for it
    assert "mental clarity" not in labels(reply)


def test_a_name_after_it_is_not_is_set_aside(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "it isn't sciatica, it's plantar fasciitis - what helps")
    assert reply["interpretation"]["intent"] == "treatments_for_condition"
    assert reply["text"].startswith("For plantar fasciitis")
    assert "sciatica" not in reply["text"].lower()
    assert ask(graph, "isn't acupuncture good for sciatica")["answered"]  # a question's own "isn't" asks


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("my back hurts so much, what could help", "treatments_for_condition"),
        ("does acupuncture hurt", "risks_of_modality"),
    ],
)
def test_what_someone_feels_is_a_complaint_not_a_question_about_risks(
    graph: KnowledgeGraph, question: str, expected: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert reply["interpretation"]["intent"] == expected


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("does dry needling promote endorphin release", "acupuncture"),
        ("is dry needling holistic", "acupuncture"),
    ],
)
def test_a_yes_or_no_about_what_only_the_other_modality_has_is_a_definite_no(
    graph: KnowledgeGraph, question: str, other: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert reply["text"].startswith("The source does not say so")
    assert labels(reply) == {other}  # whose it is instead
    assert "Western medicine" in reply["text"]  # and what the article says dry needling is


def test_a_premise_the_source_does_not_share_is_corrected_and_the_question_still_answered(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(graph, "given that dry needling comes out of Chinese medicine, who offers it?")
    assert reply["answered"], reply["text"]
    assert "premise" in reply["text"] and "Western conventional medicine" in reply["text"]
    assert {"licensed physical therapist", "licensed chiropractor"} <= labels(reply)


def test_risks_side_by_side_say_which_modality_the_source_calls_them_minor_for(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "risks: dry needling vs acupuncture")
    assert reply["answered"], reply["text"]
    assert "Of acupuncture the source calls bruising and soreness minor." in reply["text"]
    assert "Of dry needling the source calls" not in reply["text"]  # the article says it of acupuncture


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("which of them does not work on the meridians", {"dry needling"}),
        ("which needling is not evidence-based", {"acupuncture"}),
        ("what does the one that isn't dry needling cost", {"acupuncture"}),
    ],
)
def test_a_denied_name_turns_the_answer_to_the_other_modality(
    graph: KnowledgeGraph, question: str, expected: set[str]
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert labels(reply) == expected


def test_a_question_opening_with_a_denial_asks_about_what_it_names(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "isn't acupuncture rooted in Chinese medicine?")
    assert reply["answered"], reply["text"]
    assert "traditional chinese medicine" in labels(reply)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who performs the Western needle one", {"licensed physical therapist", "licensed chiropractor"}),
        ("what does the TCM one cost", {"acupuncture"}),
    ],
)
def test_a_modality_named_by_what_is_its_own(
    graph: KnowledgeGraph, question: str, expected: set[str]
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert expected <= labels(reply)


def test_a_role_the_asker_gives_themselves_is_context_not_an_uncovered_topic(graph: KnowledgeGraph) -> None:
    said_of_self = ask(graph, "as a massage therapist I wonder: what are the risks of acupuncture")
    assert said_of_self["answered"], said_of_self["text"]
    assert "not_in_source" not in said_of_self
    assert {"bruising", "infection", "soreness"} <= labels(said_of_self)
    asked_about = ask(graph, "can a massage therapist do dry needling")
    assert "not_in_source" in asked_about  # the same role as the topic of the question stays uncovered


@pytest.mark.parametrize(
    "question",
    [
        "deep tissue massage or dry needling: which is cheaper?",
        "does massage release endorphins like acupuncture does",
    ],
)
def test_a_practice_the_source_never_compares_is_an_uncovered_comparison(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert any(t.startswith("how massage compares with") for t in reply.get("not_in_source", [])), reply[
        "text"
    ]
    assert "does not discuss how massage compares with" in reply["text"]


def test_a_practice_the_source_links_to_a_modality_is_compared_from_the_source(graph: KnowledgeGraph) -> None:
    reply = ask(
        graph, "is dry needling better than physical therapy"
    )  # a specialization of it, the source says
    assert reply["answered"] and not reply.get("not_in_source")
    assert "physical therapy" in reply["text"]


@pytest.mark.parametrize(
    "question", ["dry needling vs acupuncture cost risks", "compare the risks and the prices of the two"]
)
def test_a_comparison_on_two_aspects_answers_both(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)
    costs = {
        a["label"].lower(): (a["cost"]["min"], a["cost"]["max"]) for a in reply["answers"] if a.get("cost")
    }
    assert costs == {"dry needling": (50, 150), "acupuncture": (70, 150)}
    assert {"soreness", "bruising", "infection"} <= labels(reply)


def test_what_a_price_depends_on_comes_with_the_price(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "is $70-150 for acupuncture a fixed rate or can it change?")
    assert reply["interpretation"]["intent"] == reply["query"]["name"] == "cost_factors"
    priced = [a for a in reply["answers"] if a.get("cost")]
    assert [(a["label"], a["cost"]["min"], a["cost"]["max"]) for a in priced] == [("Acupuncture", 70, 150)]
    assert {"location", "practitioner expertise"} <= labels(reply)


@pytest.mark.parametrize(
    "question", ["origins: needling vs acupuncture", "acupuncture or needling, where is each from"]
)
def test_a_short_name_joined_to_the_other_modality_is_the_one_it_ends(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert {e["label"] for e in reply["interpretation"]["entities"]} >= {"Dry needling", "Acupuncture"}
    assert (
        "Western conventional medicine" in reply["text"] and "Traditional Chinese Medicine" in reply["text"]
    )


def test_a_hedge_comes_before_the_full_stop_of_the_sentence_it_qualifies(graph: KnowledgeGraph) -> None:
    text = ask(graph, "which should I choose")["text"]
    assert ". (the source says" not in text and "into the choice (the source says “can offer”)" in text


def test_which_is_the_x_one_and_which_the_y_one_pairs_each_thing_with_its_modality(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(
        graph, "I always mix these two up, which one is the trigger point one and which is the meridian one?"
    )
    assert {"dry needling", "acupuncture"} <= labels(reply)
    text = reply["text"]
    assert "Dry needling" in text.split("trigger points")[0] and "Acupuncture is linked to meridians" in text


def test_a_story_leaves_aside_what_is_linked_to_the_thing_asked_about(graph: KnowledgeGraph) -> None:
    question = (
        "Sciatica since I lifted a couch wrong, I've memorised every stretch on youtube. My new PT wants to try "
        "dry needling next week and I'm nervous. What can go wrong with it?"
    )
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "risks_of_modality"
    assert {"soreness", "bruising", "infection"} <= labels(reply)


def test_the_words_that_link_a_value_ask_for_no_second_step(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "my calves are like rocks. which kind is the one aimed at tight muscles like this?")
    assert reply["interpretation"]["intent"] == "modalities_with_property"
    assert reply["answers"][0]["label"] == "Dry needling"


def test_a_thing_set_aside_with_a_word_describing_it_narrows_nothing(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "apart from a rare infection, are acupuncture's side effects serious or minor?")
    # the others are the answers (the one set aside is no answer), and the source's "minor" is said
    assert {"soreness", "bruising"} <= labels(reply) and "infection" not in labels(reply)
    assert "minor" in reply["text"]


def test_the_needling_that_does_something_is_a_first_step(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "what tradition does the needling that leaves people relaxed come from?")
    assert reply["interpretation"]["intent"] == "origin_of_modality"
    assert "Traditional Chinese Medicine" in reply["text"] and "Western" not in reply["text"]


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("were does dry needling come form", "origin_of_modality"),
        ("dry needling side affects", "risks_of_modality"),
    ],
)
def test_a_real_word_one_slip_from_a_cue_phrase_word_reads_as_the_phrase(
    graph: KnowledgeGraph, question: str, intent: str
) -> None:
    assert ask(graph, question)["interpretation"]["intent"] == intent


@pytest.mark.parametrize(
    "question", ["can dry needling be adapted to the patient", "what techniques does dry needling use"]
)
def test_techniques_come_with_how_the_source_says_they_are_chosen(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert {"superficial dry needling", "deep dry needling"} <= labels(reply)
    assert "tailor" in reply["text"]


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("will the VA pick up the bill for dry needling?", "insurance"),
        ("can my dog get acupuncture for her hip", "animals"),
        ("who wrote this article and when", "author"),
        ("can I drive myself home after acupuncture", "after a session"),
    ],
)
def test_more_ways_to_name_a_topic_the_article_does_not_cover(
    graph: KnowledgeGraph, question: str, topic: str
) -> None:
    reply = ask(graph, question)
    assert any(topic in t for t in reply.get("not_in_source", [])), reply["text"]


def test_a_veteran_is_no_animal(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "army vet here, who can do dry needling?")
    assert not reply.get("not_in_source") and "licensed chiropractor" in labels(reply)


def test_a_budget_and_which_one_answers_what_the_budget_allows(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "if I only had $60 for a session, which one could I get?")
    assert labels(reply) == {"dry needling"}


@pytest.mark.parametrize(
    "question", ["lowest price for each of them", "which is cheaper at the low end, and by how much"]
)
def test_the_lowest_price_of_each_gives_every_price(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)
    costs = {a["label"]: a["cost"]["min"] for a in reply["answers"] if a.get("cost")}
    assert costs == {"Dry needling": 50, "Acupuncture": 70}


def test_which_one_doesnt_bother_with_a_thing_is_the_other_one(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "which of them doesn't bother with the body's energy balance")
    assert labels(reply) == {"dry needling"} and not reply.get("not_in_source")


def test_the_one_that_does_something_is_a_first_step(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "price of the one that releases endorphins")
    costs = [(a["label"], a["cost"]["min"], a["cost"]["max"]) for a in reply["answers"] if a.get("cost")]
    assert costs == [("Acupuncture", 70, 150)]


@pytest.mark.parametrize(
    ("question", "named", "intent"),
    [
        ("the $50 one - what's its price range?", "Dry needling", "cost_of_modality"),
        ("which conditions is the $70-$150 therapy described for", "Acupuncture", "conditions_of_modality"),
    ],
)
def test_a_price_the_source_gives_one_modality_alone_names_it(
    graph: KnowledgeGraph, question: str, named: str, intent: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == intent
    assert [e["label"] for e in reply["interpretation"]["entities"]] == [named]
    assert named in reply["interpretation"]["corrections"].values()  # the reader sees how the price was read


def test_a_price_after_a_budget_word_names_nothing(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "anything under $70 a session")
    assert reply["interpretation"]["intent"] == "treatments_under_price" and labels(reply) == {"dry needling"}


def test_none_of_a_thing_turns_to_the_other_modality(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "I just want the muscles worked on, none of the energy meridian stuff - which one?")
    assert labels(reply) == {"dry needling"}


def test_in_what_ways_do_they_differ_is_no_question_about_techniques(graph: KnowledgeGraph) -> None:
    text = ask(graph, "in what ways is dry needling different from acupuncture")["text"]
    assert "Western conventional medicine" in text and "Traditional Chinese Medicine" in text


def test_the_x_one_which_is_it_answers_with_the_modality_the_thing_belongs_to(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "the wholistic one of the two, which is it")
    assert labels(reply) == {"acupuncture"}


def test_things_named_as_examples_of_what_is_asked_do_not_narrow_it(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "dry needling side effects like bruising and infection")
    assert labels(reply) == {"soreness", "bruising", "infection"}
    reply = ask(
        graph, "explain like I'm five how acupuncture helps a sore back"
    )  # "like" starts no list here
    assert reply["interpretation"]["intent"] != "risks_of_modality"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("does acupuncture cost the same everywhere?", "cost_factors"),
        ("why does dry needling cost more at some clinics than others?", "cost_factors"),
        ("what do you get out of dry needling vs what you get out of acupuncture", "compare_modalities"),
    ],
)
def test_everyday_ways_to_ask_for_a_named_query(graph: KnowledgeGraph, question: str, intent: str) -> None:
    assert ask(graph, question)["interpretation"]["intent"] == intent


def test_pain_signals_lead_to_how_acupuncture_works_on_them(graph: KnowledgeGraph) -> None:
    text = ask(graph, "how does acupuncture cut down pain signals?")["text"]
    assert "reducing pain signals" in text and "modulating the nervous system" in text


def test_a_verb_form_the_graph_does_not_know_is_no_uncovered_topic(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "my GP says acupuncture releases endorphins for back pain, is she overselling it?")
    assert reply["answered"] and not reply.get("not_in_source")
    assert "endorphins" in reply["text"]


def test_a_budget_someone_can_spend_answers_what_fits(graph: KnowledgeGraph) -> None:
    assert labels(ask(graph, "I can spend $65 per session. Which needle treatment can I afford?")) == {
        "dry needling"
    }


@pytest.mark.parametrize("question", ["plantar fasciitis needles", "plantar fasciitis needling"])
def test_a_condition_beside_the_kind_of_thing_wanted_gets_its_treatments(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "treatments_for_condition"
    assert labels(reply) == {"dry needling"}


def test_words_before_a_kind_that_begin_one_members_name_name_it(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "where does the therapy with superficial and deep techniques originate")
    named = {e["label"] for e in reply["interpretation"]["entities"]}
    assert named == {"Superficial dry needling", "Deep dry needling"}
    assert "Western conventional medicine" in reply["text"] and "Chinese" not in reply["text"]


def test_why_a_modality_would_help_a_condition_says_how_surely_the_source_links_them(
    graph: KnowledgeGraph,
) -> None:
    text = ask(graph, "why would dry needling help sciatica")["text"]
    assert "releasing muscle tension" in text and "(the source says “can be”)" in text


def test_who_said_something_is_context_not_the_subject(graph: KnowledgeGraph) -> None:
    reply = ask(
        graph, "my PT mentioned a shallow kind and a deep kind of dry needling, what's the difference?"
    )
    assert {"superficial dry needling", "deep dry needling"} <= labels(reply)
    assert "physical therapy" not in reply["text"]


@pytest.mark.parametrize(
    "question",
    [
        "my husband is a total skeptic and says acupuncture is mumbo jumbo. what is it supposed to be doing?",
        "back pain for fifteen years, is it dry needling or acupuncture that's meant to work for backs?",
        "my lower back is killing me from lifting boxes, what would dry needling do for it",
        "how much is a dry needling sesh",
    ],
)
def test_chat_words_number_words_and_activities_are_no_uncovered_topics(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert not reply.get("not_in_source"), reply["not_in_source"]


def test_a_condition_named_alone_gets_its_treatments_and_what_it_is(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "plantar fasciitis")
    assert reply["answers"][0]["label"] == "Dry needling" and "plantar fasciitis" in labels(reply)
    assert reply["text"].startswith("For plantar fasciitis, the source names")


def test_a_practitioner_with_words_asking_more_than_choosing_stands_for_what_they_practise(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(graph, "how does an acupuncturist decide where the needles go?")
    assert reply["interpretation"]["intent"] == "targets_of_modality"
    assert {"meridians", "acupuncture points"} <= labels(reply)


def test_feel_like_in_a_story_is_no_question_about_what_needling_feels_like(graph: KnowledgeGraph) -> None:
    assert "what needling feels like" in ask(graph, "what does dry needling feel like")["not_in_source"]
    story = ask(
        graph, "my calves feel like rocks, a friend said dry needling, what does it do to the muscle?"
    )
    assert not story.get("not_in_source")


def test_a_no_for_the_modality_names_the_technique_of_it_that_has_the_thing(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "does dry needling only go into the skin?")
    assert {"superficial dry needling", "deep dry needling"} <= labels(reply)
    assert "aimed at the skin" in reply["text"] and "deeper layers of muscle" in reply["text"]


@pytest.mark.parametrize(
    ("question", "origin"),
    [
        ("where is acupuncture from", "Traditional Chinese Medicine"),
        ("where is dry needling from originally", "Western"),
    ],
)
def test_where_is_it_from_asks_for_the_origin(graph: KnowledgeGraph, question: str, origin: str) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "origin_of_modality" and origin in reply["text"]


@pytest.mark.parametrize(
    "question",
    [
        "is acupuncture just for muscle problems or does it cover more than that",
        "does the article say acupuncture only handles musculoskeletal problems?",
    ],
)
def test_is_it_only_for_x_gets_what_the_source_says_it_addresses_beyond(
    graph: KnowledgeGraph, question: str
) -> None:
    assert "wide range of conditions, not only musculoskeletal ones" in ask(graph, question)["text"]


@pytest.mark.parametrize(
    "question",
    ["is dry needling ok for a 9 year old with growing pains", "my 15yo has back pain, acupuncture?"],
)
def test_an_age_under_eighteen_is_a_population_the_article_does_not_cover(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert any(t.startswith("children and teenagers") for t in reply["not_in_source"]), reply["text"]


def test_an_adult_age_is_no_uncovered_population(graph: KnowledgeGraph) -> None:
    assert not ask(graph, "I'm 45 years old with sciatica, which one should I try").get("not_in_source")


# --- reaching past a kind of condition; a story told before the question ----------------------------


@pytest.mark.parametrize(
    "question",
    [
        "which therapy goes beyond musculoskeletal problems",
        "which option for a problem that isn't musculoskeletal",
        "which one works on more than just muscles?",
    ],
)
def test_beyond_a_kind_of_condition_names_the_modality_that_reaches_past_it(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"], reply["text"]
    assert "acupuncture" in labels(reply) and "dry needling" not in labels(reply)
    assert "aims to" in reply["text"]  # the article's hedge on what acupuncture addresses


def test_an_uncovered_topic_told_before_a_covered_question_is_named_not_refused(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(
        graph, "Drummer here, my neck gets stiff from playing. Does dry needling target trigger points?"
    )
    assert reply["answered"], reply["text"]
    assert reply["not_in_source"] and "neck" in reply["not_in_source"][0]
    assert reply["text"].startswith("The article does not discuss neck pain.")
    assert "trigger point" in reply["text"].lower()


def test_an_uncovered_topic_the_asking_sentence_is_about_is_still_declined(graph: KnowledgeGraph) -> None:
    for question in (
        "My neck gets stiff from drumming. Would dry needling help?",
        "my neck hurts, does dry needling help",
    ):
        reply = ask(graph, question)
        assert not reply["answered"], reply["text"]
        assert "neck pain" in reply["not_in_source"][0]


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("can they numb the area before acupuncture", "numbing"),
        ("is dry needling ok before a hot yoga class", "yoga"),
        ("does acupuncture help you sleep", "sleep"),
        ("are acupuncture needles reused", "reused"),
    ],
)
def test_everyday_uncovered_topics_are_named(graph: KnowledgeGraph, question: str, topic: str) -> None:
    reply = ask(graph, question)
    assert any(topic in t for t in reply.get("not_in_source", [])), reply


@pytest.mark.parametrize(
    "question", ["sciatica, which needle thing", "plantar fasciitis which should i book"]
)
def test_a_condition_and_which_one_asks_what_treats_it(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)  # what treats it, or the choice for it ("which should I book")
    assert reply["interpretation"]["intent"] in ("treatments_for_condition", "choice_factors"), reply["text"]
    assert "dry needling" in labels(reply)


@pytest.mark.parametrize(
    ("question", "one", "other"),
    [
        ("flexibility: dry needling or acupuncture?", "dry needling", "acupuncture"),
        ("mental clarity - acupuncture or dry needling?", "acupuncture", "dry needling"),
    ],
)
def test_a_property_and_the_two_named_answers_with_the_one_that_has_it(
    graph: KnowledgeGraph, question: str, one: str, other: str
) -> None:
    reply = ask(graph, question)
    assert one in labels(reply) and other not in labels(reply)
    assert f"nothing of the kind about {other}" in reply["text"]


def test_which_is_cheaper_answers_with_the_one_and_shows_both_prices(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "which one is cheaper, dry needling or acupuncture")
    assert labels(reply) == {"dry needling"}
    assert "$50–150" in reply["text"] and "$70–150" in reply["text"]
    both = ask(graph, "is dry needling cheaper than acupuncture, and by how much")
    assert {"dry needling", "acupuncture"} <= labels(both)


@pytest.mark.parametrize(
    ("question", "intent", "expected"),
    [
        ("plantar fasciitis tx", "treatments_for_condition", "dry needling"),  # shorthand for treatment
        ("combined therapy, sciatica", "combined_treatment", None),
        ("would doing both be overkill for sciatica", "combined_treatment", None),
    ],
)
def test_shorthand_and_combination_wording(
    graph: KnowledgeGraph, question: str, intent: str, expected: str | None
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == intent, reply["text"]
    assert expected is None or expected in labels(reply)


def test_same_kind_of_needles_says_both_use_thin_needles_and_how_they_differ(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "do DN and acu use the same kind of needles")
    text = reply["text"].lower()
    assert "thin needle" in text and "traditional chinese medicine" in text and "western" in text


def test_the_whole_person_reads_as_the_holistic_approach(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "I like the idea of treating the whole person. which one suits me?")
    assert "acupuncture" in labels(reply), reply["text"]


def test_practices_told_in_a_story_are_its_setting_not_what_is_asked(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "We tried massage for my wife's back and nothing stuck. Does needling help back pain?")
    assert reply["interpretation"]["intent"] == "treatments_for_condition", reply["text"]
    assert {"dry needling", "acupuncture"} <= labels(reply)
    # pointing back at the story keeps it in the question
    pointed = ask(graph, "My sister's chiropractor needles the knots in her back. Is that acupuncture?")
    assert "dry needling" in labels(pointed) or "dry needling" in pointed["text"].lower()


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("How does a practitioner adjust dry needling to the patient?", "techniques_of_modality"),
        ("my therapist says she'll tailor the dry needling to me, meaning?", "techniques_of_modality"),
        ("what kind of practitioner do I see for dry needling", "practitioners_of_modality"),
        ("which practitioner offers acupuncture", "practitioners_of_modality"),
    ],
)
def test_a_practitioner_in_the_question_is_no_cue_unless_it_is_what_is_asked_for(
    graph: KnowledgeGraph, question: str, intent: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == intent, reply["text"]


def test_each_technique_says_what_it_is_aimed_at(graph: KnowledgeGraph) -> None:
    for question in (
        "what techniques does dry needling use",
        "a shallow kind and a deep kind of dry needling?",
    ):
        text = ask(graph, question)["text"].lower()
        assert "aimed at skin" in text and "aimed at deeper muscle layers" in text, text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("deep dry needling, how far does it go", "deeper layers of muscle"),
        ("what's the deep version reaching", "deeper layers of muscle"),
        ("the shallow kind of dry needling, what does it reach?", "skin"),
    ],
)
def test_how_far_a_technique_reaches_is_what_it_is_aimed_at(
    graph: KnowledgeGraph, question: str, expected: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"] and expected in reply["text"].lower(), reply["text"]


def test_what_the_article_says_about_two_things_leads_with_the_claims_linking_both(
    graph: KnowledgeGraph,
) -> None:
    reply = ask(graph, "the article doesn't say infection is common after dry needling, does it")
    text = reply["text"].lower()
    assert "infection" in text and "rare" in text, text
    assert "infection" in reply["answers"][0]["label"].lower()  # the claim linking both comes first


@pytest.mark.parametrize(
    "question", ["how common is bruising after dry needling", "is soreness from dry needling rare?"]
)
def test_how_often_a_risk_happens_names_the_one_the_source_calls_rare(
    graph: KnowledgeGraph, question: str
) -> None:
    reply = ask(graph, question)
    assert "infection" in labels(reply)
    assert "“in rare cases”" in reply["text"] and "no frequency" in reply["text"]


def test_eastern_medicine_is_read_as_the_chinese_tradition_not_as_western(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "is acupuncture eastern medicine")
    assert reply["answers"][0]["label"] == "Traditional Chinese Medicine"
    assert "does not say so" not in reply["text"]


def test_a_rare_form_of_an_everyday_word_is_no_uncovered_topic(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "Which muscles does the article say plantar fasciitis commonly tightens?")
    assert reply["answered"] and "not_in_source" not in reply, reply["text"]
    assert "calf" in reply["text"]


@pytest.mark.parametrize("budget", ["I've got sixty bucks per visit", "$65 a visit is my limit"])
def test_a_budget_said_as_what_one_has_answers_what_it_allows(graph: KnowledgeGraph, budget: str) -> None:
    reply = ask(graph, f"{budget}. Which needle therapy fits that?")
    assert reply["interpretation"]["intent"] == "treatments_under_price"
    assert labels(reply) == {"dry needling"}


@pytest.mark.parametrize(
    "question",
    [
        "what does the option the article says may be better for trigger points cost?",
        "the needling for tight foot and calf muscles, what does it run?",
    ],
)
def test_a_modality_found_in_a_first_step_comes_with_its_price(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)
    dn = next(a for a in reply["answers"] if a["label"] == "Dry needling")
    assert (dn["cost"]["min"], dn["cost"]["max"]) == (50, 150)
    assert "$50–150 per session" in reply["text"]


@pytest.mark.parametrize(
    ("question", "ranking"),
    [
        ("which is safer, dry needling or acupuncture", "safer"),
        ("which one hurts less", "hurts less"),
        ("which one is gentler", "gentler"),
    ],
)
def test_a_ranking_the_source_does_not_make_is_named_beside_what_it_does_say(
    graph: KnowledgeGraph, question: str, ranking: str
) -> None:
    reply = ask(graph, question)
    assert reply["answered"] and ranking in reply["not_in_source"]
    first = reply["text"].split(".")[0]  # "... which of the two is safer", "... which of the two hurts less"
    assert first.startswith("The article does not say which of the two") and first.endswith(ranking)
    assert "not_in_source" not in ask(graph, "which is cheaper, dry needling or acupuncture")  # a price ranks
    assert "not_in_source" not in ask(graph, "the cheaper of the two, what does it do for range of motion?")


def test_pros_and_cons_of_one_modality_are_its_benefits_and_its_risks(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "pros and cons of dry needling")
    assert {"improved flexibility", "bruising", "infection"} <= labels(reply)
    assert "acupuncture" not in labels(reply)


@pytest.mark.parametrize("question", ["dry needling in one sentence", "acupuncture in a nutshell"])
def test_a_summary_asked_is_what_the_thing_is(graph: KnowledgeGraph, question: str) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == "describe_resource" and reply["answered"]


def test_two_pairs_swapped_in_a_premise_are_each_set_right(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "acupuncture targets trigger points and dry needling targets meridians, right?")
    text = reply["text"]
    assert "Dry needling" in text and "linked to trigger points" in text
    assert "Acupuncture is linked to meridians" in text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is acupuncture even based on?", "qi"),
        ("what are they actually trying to do to the muscle with dry needling", "muscle tension"),
        ("what's dry needling supposed to actually do to the muscle?", "blood flow"),
    ],
)
def test_what_a_modality_rests_on_and_tries_to_do(
    graph: KnowledgeGraph, question: str, expected: str
) -> None:
    assert expected in ask(graph, question)["text"].lower()


def test_a_severity_said_of_one_modality_is_not_given_to_both(graph: KnowledgeGraph) -> None:
    text = ask(graph, "compare the risks")["text"]
    assert "calls it minor for acupuncture" in text and "calls it minor)" not in text


def test_side_by_side_names_what_both_have(graph: KnowledgeGraph) -> None:
    assert (
        "Named for both: back pain and sciatica." in ask(graph, "what conditions do they both treat")["text"]
    )


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("shooting pain from my butt down my leg, would acupuncture help", "sciatica"),
        ("pain in the bottom of my foot, which needling", "plantar fasciitis"),
    ],
)
def test_a_pain_in_lay_words_is_not_read_as_a_condition_the_article_names(
    graph: KnowledgeGraph, question: str, condition: str
) -> None:
    """The article does not say which pains are which condition: reading one as the other would be ours."""
    reply = ask(graph, question)
    assert condition not in {e["label"].lower() for e in reply["interpretation"]["entities"]}


def test_a_price_asked_beside_a_condition_stays_a_price(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "back pain acupuncture price")
    assert reply["interpretation"]["intent"] == "cost_of_modality"
    assert "$70–150 per session" in reply["text"]


@pytest.mark.parametrize(
    ("question", "intent", "expected"),
    [
        ("cost of the holistic option", "cost_of_modality", "acupuncture"),
        ("benefits of the one rooted in western medicine", "benefits_of_modality", "improved flexibility"),
        ("risks of the option that modulates the nervous system", "risks_of_modality", "infection"),
    ],
)
def test_a_first_step_named_by_what_it_is_or_does(
    graph: KnowledgeGraph, question: str, intent: str, expected: str
) -> None:
    reply = ask(graph, question)
    assert reply["interpretation"]["intent"] == intent, reply["text"]
    assert expected in labels(reply) or expected in reply["text"].lower()


def test_two_aspects_side_by_side_without_an_and_are_both_answered(graph: KnowledgeGraph) -> None:
    assert {"improved flexibility", "infection"} <= labels(ask(graph, "dry needling pros cons"))


def test_claims_tying_the_named_things_answer_beside_an_uncovered_facet(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "does the article present meridians carrying Qi as proven, or as a belief?")
    assert reply["answered"] and any("proof" in t for t in reply["not_in_source"])
    assert "believed" in reply["text"]
    declined = ask(graph, "does acupuncture cure sciatica")  # the uncovered topic is the question
    assert not declined["answered"] and "cure" in declined["not_in_source"][0]


def test_is_there_evidence_names_research_as_a_topic_the_source_is_silent_on(graph: KnowledgeGraph) -> None:
    reply = ask(graph, "is there evidence that acupuncture works")
    assert any("studies and proof" in t for t in reply["not_in_source"]), reply
    assert "dry needling" in labels(ask(graph, "I want the evidence-based one"))
