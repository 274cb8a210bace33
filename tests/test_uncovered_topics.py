"""Topics the article is silent on (nkg:NotInSource): each has one kind and our note, and none of their names
is a name of anything the article covers, so recording a silence never hides an answer.

Labels are compared the way question answering matches words: lower-cased, punctuation dropped and plurals
folded. The folding is written out here (the crude rule of the lexicon: "-ies" to "-y", a final "s" dropped)
rather than imported, so that these checks on the graph do not depend on the question-answering code.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from article_text import article_text
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS
from test_no_copied_prose import RUN, runs

from kg import DEFAULT_ONTOLOGY, DEFAULT_SHAPES
from kg.engine import KnowledgeGraph
from kg.qa.words import stems
from kg.validation import validate_graph

NKG = Namespace("https://needling-kg.example.org/kg/")
KINDS = {NKG[f"{kind}-topic"] for kind in ("condition", "population", "drug", "outcome", "practical")}
SCHEME = NKG["uncovered-topic-kinds"]

# What the article does speak of, in the words a question would use: none may be the name of a silence.
COVERED_WORDS = [
    "stress",
    "stress reduction",
    "relaxation",
    "relaxed",
    "pain",
    "pain relief",
    "pain management",
    "flexibility",
    "range of motion",
    "circulation",
    "blood circulation",
    "blood flow",
    "endorphins",
    "endorphin release",
    "nervous system",
    "pain signals",
    "mental clarity",
    "well-being",
    "energy",
    "energy flow",
    "qi",
    "meridians",
    "healing",
    "natural healing",
    "function",
    "soreness",
    "sore",
    "bruising",
    "infection",
    "risks",
    "side effects",
    "cost",
    "price",
    "location",
    "expertise",
    "number of sessions",
    "licensed",
    "license",
    "chiropractor",
    "physical therapist",
    "physical therapy",
    "massage",
    "acupuncturist",
    "plantar fasciitis",
    "back pain",
    "lower back pain",
    "sciatica",
    "muscle tension",
    "tension",
    "trigger points",
    "knots",
    "tight muscles",
    "musculoskeletal",
    "musculoskeletal pain",
    "stretching",
    "lifestyle changes",
    "evidence-based",
    "holistic",
    "twitch response",
    "thin needles",
    "needles",
    "deep dry needling",
    "superficial dry needling",
]


def fold(label: str) -> tuple[str, ...]:
    """A label as question matching sees it (kg.qa.words.stems): lower case, no punctuation, plurals folded."""
    return stems(label)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(DEFAULT_ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def silent(ontology: Graph) -> list[URIRef]:
    topics = sorted(t for t in ontology.subjects(RDF.type, NKG.NotInSource) if isinstance(t, URIRef))
    assert len(topics) >= 60, "the graph records too few topics the article is silent on"
    return topics


def names(ontology: Graph, node: URIRef) -> list[Literal]:
    return [
        label
        for predicate in (SKOS.prefLabel, SKOS.altLabel)
        for label in ontology.objects(node, predicate)
        if isinstance(label, Literal)
    ]


def curie(node: URIRef) -> str:
    return "nkg:" + str(node).removeprefix(str(NKG))


# --- what each topic carries ----------------------------------------------------------------------


def test_every_topic_has_one_kind_one_name_and_one_note(ontology: Graph, silent: list[URIRef]) -> None:
    problems = []
    for topic in silent:
        kinds = set(ontology.objects(topic, NKG.topicKind))
        prefs = [p for p in ontology.objects(topic, SKOS.prefLabel) if getattr(p, "language", None) == "en"]
        notes = list(ontology.objects(topic, SKOS.scopeNote))
        if len(kinds) != 1 or not kinds <= KINDS:
            problems.append(f"{curie(topic)}: kinds {sorted(map(curie, kinds))}")
        if len(prefs) != 1:
            problems.append(f"{curie(topic)}: {len(prefs)} English preferred labels")
        if len(notes) != 1:
            problems.append(f"{curie(topic)}: {len(notes)} scope notes")
        if (topic, SKOS.definition, None) in ontology:
            problems.append(f"{curie(topic)}: a skos:definition would say the article defines it")
    assert not problems, "\n".join(problems)


def test_every_note_says_what_the_article_does_not_say(ontology: Graph, silent: list[URIRef]) -> None:
    """Our note on a silence, shown when a question is declined: it says the article is silent."""
    silence = re.compile(r"\b(not|never|nothing)\b")
    unclear = [
        curie(topic)
        for topic in silent
        for note in ontology.objects(topic, SKOS.scopeNote)
        if not silence.search(str(note))
    ]
    assert not unclear, f"notes that do not say the article is silent: {unclear}"


def test_the_kinds_are_declared_and_each_is_used(ontology: Graph, silent: list[URIRef]) -> None:
    assert (NKG.topicKind, RDF.type, URIRef("http://www.w3.org/2002/07/owl#ObjectProperty")) in ontology
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in ontology
    for kind in KINDS:
        assert (kind, RDF.type, SKOS.Concept) in ontology, curie(kind)
        assert (kind, SKOS.inScheme, SCHEME) in ontology, curie(kind)
        assert ontology.value(kind, SKOS.prefLabel), curie(kind)
        assert ontology.value(kind, SKOS.scopeNote), f"{curie(kind)} needs our explanation"
        assert any((t, NKG.topicKind, kind) in ontology for t in silent), f"no topic is of kind {curie(kind)}"
    declared = set(ontology.subjects(SKOS.inScheme, SCHEME))
    assert declared == KINDS, "the kinds in the scheme and the closed set the shapes allow differ"


def test_the_existing_topics_are_kept(ontology: Graph, silent: list[URIRef]) -> None:
    for name, kind in [
        ("curing", "outcome"),
        ("session-length", "practical"),
        ("insurance-cover", "practical"),
    ]:
        assert NKG[name] in silent
        assert (NKG[name], NKG.topicKind, NKG[f"{kind}-topic"]) in ontology


# --- names ----------------------------------------------------------------------------------------


def test_no_name_of_a_topic_is_a_name_of_anything_the_article_covers(
    ontology: Graph, silent: list[URIRef]
) -> None:
    silent_set = set(silent)
    covered: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for predicate in (SKOS.prefLabel, SKOS.altLabel):
        for node, label in ontology.subject_objects(predicate):
            if node not in silent_set and isinstance(node, URIRef):
                covered[fold(str(label))].add(curie(node))
    clashes = [
        f"{curie(topic)} {str(label)!r} = {sorted(covered[fold(str(label))])}"
        for topic in silent
        for label in names(ontology, topic)
        if fold(str(label)) in covered
    ]
    assert not clashes, "names of silences that name covered things:\n" + "\n".join(clashes)


def test_no_two_topics_share_a_name(ontology: Graph, silent: list[URIRef]) -> None:
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for topic in silent:
        for label in names(ontology, topic):
            owners[fold(str(label))].add(curie(topic))
    shared = {" ".join(key): sorted(topics) for key, topics in owners.items() if len(topics) > 1}
    assert not shared, f"names given to more than one silence: {shared}"


def test_what_the_article_speaks_of_is_never_a_silence(ontology: Graph, silent: list[URIRef]) -> None:
    covered = {fold(word) for word in COVERED_WORDS}
    wrong = [
        f"{curie(topic)} {str(label)!r}"
        for topic in silent
        for label in names(ontology, topic)
        if fold(str(label)) in covered
    ]
    assert not wrong, f"silences named by what the article covers: {wrong}"


def test_the_fold_matches_plurals_and_punctuation() -> None:
    assert fold("Migraines") == fold("migraine")
    assert fold("Allergies") == fold("allergy")
    assert fold("anti-inflammatories") == fold("anti inflammatory")
    assert fold("can't sleep") == ("cant", "sleep")  # the apostrophe goes
    assert fold("stress") == ("stress",)


def test_every_name_of_a_topic_reaches_question_answering_with_its_note(
    graph: KnowledgeGraph, ontology: Graph, silent: list[URIRef]
) -> None:
    """The lexicon query is what question answering links words with: each name leads to its topic, and
    the topic comes with our note."""
    rows = list(graph.stream("lexicon"))
    seen = {(row["entity"].value, row["label"].value) for row in rows if "silence" in row}
    missing = [
        f"{curie(topic)} {str(label)!r}"
        for topic in silent
        for label in names(ontology, topic)
        if (str(topic), str(label)) not in seen
    ]
    assert not missing, f"names the lexicon does not give with the topic's note: {missing[:10]}"
    kinds = {str(kind) for kind in KINDS}
    assert not [row for row in rows if row["entity"].value in kinds], "the kinds are not names of topics"


# --- the notes are ours ---------------------------------------------------------------------------


def test_no_note_copies_the_article(ontology: Graph, silent: list[URIRef]) -> None:
    text = article_text()
    if text is None:
        pytest.skip("the article is not at hand (../shared/domain/source-article.txt)")
    article = runs(text)
    copied = {
        curie(topic): sorted(" ".join(run) for run in runs(str(note)) & article)
        for topic in [*silent, *KINDS]
        for note in ontology.objects(topic, SKOS.scopeNote)
    }
    copied = {topic: hits for topic, hits in copied.items() if hits}
    assert not copied, f"notes sharing {RUN} or more words with the article: {copied}"


# --- the shapes -----------------------------------------------------------------------------------


def test_the_shapes_hold_every_topic_to_one_kind_and_one_note(ontology: Graph) -> None:
    broken = Graph()
    broken += ontology
    broken.remove((NKG.migraine, NKG.topicKind, None))
    broken.add((NKG.pregnancy, NKG.topicKind, NKG["drug-topic"]))
    broken.set((NKG.asthma, NKG.topicKind, NKG.Modality))
    broken.remove((NKG.alcohol, SKOS.scopeNote, None))
    broken.add((NKG.placebo, SKOS.definition, Literal("A dummy treatment.", lang="en")))
    report = validate_graph(broken, Graph().parse(DEFAULT_SHAPES, format="turtle"))
    assert not report.ok
    found = defaultdict(list)
    for problem in report.problems:
        found[problem.where].append(problem.what)
    for node, words in [
        ("nkg:migraine", "exactly one kind"),
        ("nkg:pregnancy", "exactly one kind"),
        ("nkg:asthma", "exactly one kind"),
        ("nkg:alcohol", "exactly one English note"),
        ("nkg:placebo", "has no definition"),
    ]:
        assert any(words in what for what in found[node]), f"{node}: {found[node]}\n{report.render()}"
