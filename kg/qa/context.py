"""A reading that leaves named things aside as context ("my chiro charges ..."): which of the readings of
the same values has one of them among its answers."""

from __future__ import annotations

from dataclasses import replace

from kg.engine import KnowledgeGraph
from kg.qa.answers import Answer
from kg.qa.lexicon import Lexicon, Mention
from kg.qa.named import Runner
from kg.qa.plans import Plan, Reading, expand
from kg.qa.vocab import COST, MODALITY, PERFORMER, RELATED

_SIDE_BY_SIDE = frozenset(["or", "vs", "versus", "than", "like", "same", "compared", "against"])


def context_in_answers(reading: Reading, first: Plan, graph: KnowledgeGraph, runner: Runner) -> Plan:
    """Of the readings that leave named things aside, the first whose answers include one of them ("are
    stretches part of treating sciatica": the plan for sciatica includes stretching); else the first."""
    if any(m.iris[0] == expand(first.query.answer_class) for m in reading.classes):
        return first  # "physio dry needling benefits" names the kind of answer it wants
    if first.cue.strength >= 2:
        return first  # "what should I budget per visit for it for my sciatica" asks for this reading
    # who it is for is context enough ("my chiro charges ..."); what it is about may be an answer
    aside = {i for m in first.context for i in m.iris if not runner.lexicon.has_type(i, PERFORMER)}
    if not aside:
        return first
    others = [
        Plan(q, first.values, first.consumed, first.cue, first.bonus)
        for q in graph.catalogue
        if q.cues
        and q.name != first.query.name
        # "back pain acupuncture price": a price asked stays the answer, whatever else its answers name
        and (reading.cue_scores.get(q.name) or first.query.name != COST)
        and first.values
        and set(first.values) <= {p.name for p in q.params}
        and all(p.name in first.values for p in q.params if p.required)
    ]
    for plan in [first, *others]:
        _, found = runner.execute(plan)
        if any(a["iri"] in aside for a in found):
            return replace(plan, context=())
    return first


def all_linked(left: list[Mention], given: set[str], neighbours: dict[str, set[str]]) -> bool:
    """Whether each thing left aside is linked to what the answer is about, or to another such thing:
    "sciatica ... every stretch ... my PT wants to try dry needling, what can go wrong"."""
    linked, growing = set(given), True
    while growing:
        more = {i for m in left for i in m.iris if neighbours.get(i, set()) & linked} - linked
        linked, growing = linked | more, bool(more)
    return all(set(m.iris) & linked for m in left)


def named_alone(plan: Plan | None, reading: Reading) -> list[str]:
    """The complaints a plan is about when each is named on its own ("stress"), not as a kind of it the
    source does not know ("nerve pain", "pain down the leg"): no unknown word right beside it."""
    tokens, unknown = reading.tokens, {*reading.ignored, *reading.unknown}
    if plan is None or unknown & {t for m in plan.consumed for t in tokens[max(0, m.start - 1) : m.end + 1]}:
        return []
    return [*plan.values.get("condition", []), *plan.values.get("value", [])]


def unlinked_comparisons(reading: Reading, lexicon: Lexicon, neighbours: dict[str, set[str]]) -> list[str]:
    """A related practice put side by side with a modality the source never links it to ("deep tissue massage
    or dry needling, which is cheaper", "does massage release endorphins the same way acupuncture does"):
    the comparison is a topic the article does not cover."""
    tokens, found = reading.tokens, []
    modalities = [m for m in reading.entities if lexicon.has_type(m.iris[0], MODALITY)]
    for practice in reading.entities:
        if not lexicon.has_type(practice.iris[0], RELATED):
            continue
        for modality in modalities:
            low, high = (
                sorted((practice.end, modality.start))
                if practice.start < modality.start
                else (
                    modality.end,
                    practice.start,
                )
            )
            beside = high - low <= 6 and _SIDE_BY_SIDE.intersection(tokens[low:high])
            if beside and modality.iris[0] not in neighbours.get(practice.iris[0], set()):
                said = lexicon.name(practice.iris[0])
                found.append(f"how {said} compares with {lexicon.name(modality.iris[0])}")
    return list(dict.fromkeys(found))


def told_before_asking(reading: Reading, lexicon: Lexicon) -> bool:
    """ "I carry tension in my shoulders. Is dry needling aimed at muscle tension?": every uncovered topic
    is told in the story before the sentence that asks, and that sentence names a covered thing of its own
    (no modality or kind alone), so an answer about it is no answer about the uncovered topic."""
    start = reading.asking_from
    if not start or reading.unknown or not reading.silent or any(m.end > start for m in reading.silent):
        return False
    return any(
        m.start >= start and not lexicon.has_type(m.iris[0], MODALITY) and not lexicon.is_class(m.iris[0])
        for m in reading.entities
    )


def named_part_answered(reading: Reading, lexicon: Lexicon, answers: list[Answer]) -> bool:
    """Whether an answer despite an uncovered topic answers a part the question names of its own: the
    asking sentence after a story, or claims tying together the covered things named."""
    return told_before_asking(reading, lexicon) or _ties_the_named(answers, reading)


def _ties_the_named(answers: list[Answer], reading: Reading) -> bool:
    """ "Are meridians presented as proven, or as believed to carry Qi?": among the first claims found, one
    ties together two covered things the question names, so the claims answer what it asks of them and the
    uncovered word ("proven") is a facet to name, not the whole question."""
    named = {m.iris[0] for m in reading.entities}
    return any(len(named & set(answer.get("_about", ()))) >= 2 for answer in answers[:3])
