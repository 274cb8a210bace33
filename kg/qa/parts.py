"""Questions in several parts about one thing: "who does it and what does it cost"."""

from __future__ import annotations

from kg.qa.composed import Composed
from kg.qa.named import Runner
from kg.qa.plans import CueMatch, Plan, Reading
from kg.qa.replies import query_info
from kg.qa.vocab import MODALITY, MODALITY_CURIE


def other_parts(reading: Reading, first: Plan, more: list[Plan] | None = None) -> list[Plan]:
    """Other readings of the same thing after an "and" or beside it: "who does it and what does it
    cost", "cost, risk, and who does it" (a cue of function words only, "who does", after an "and").
    `more`: readings made for the modality the first one names, of queries the question cues."""
    joins = [i for i, token in enumerate(reading.tokens) if token == "and"]
    if first.feeds or not first.cue.positions:
        return []
    parts = [first]
    for plan in reading.plans[1:] + (more or []):
        if plan.feeds or not plan.cue.positions or any(p.query.name == plan.query.name for p in parts):
            continue
        made = more is not None and plan in more  # asked of the modality named: no other thing to match
        if not made and (not plan.consumed <= first.consumed or (first.consumed and not plan.consumed)):
            continue  # "who does dry needling, and does it work on sciatica": of a thing the first names
        if any(plan.cue.positions & p.cue.positions for p in parts):
            continue
        for part in parts:
            low, high = sorted((min(part.cue.positions), min(plan.cue.positions)))
            joined = any(low < i < high for i in joins)
            who = reading.tokens[min(plan.cue.positions)] == "who"  # "who does it": a person asked for
            if (plan.cue.strength and (joined or high == low + 1)) or (
                joined and (plan.cue.score >= 2 or who)
            ):
                parts.append(plan)
                break
    return parts[1:]


def answer_other_parts(runner: Runner, composed: Composed, reading: Reading, first: Plan) -> None:
    """ "The risks and benefits of acupuncture": the other parts are answered too, after the first."""
    for part in other_parts(reading, first, _of_the_modality(runner, reading, first)):
        runs, found = runner.execute(part)
        answers = runner.narrow(found, part, reading)
        if not answers:
            continue
        known = {a["iri"] for a in composed.answers}
        composed.answers += [a for a in answers if a["iri"] not in known]
        composed.text += " " + runner.sentence(part, runs, answers)
        composed.also = composed.also or {"intent": part.query.name, "query": query_info(runs[-1])}


def _of_the_modality(runner: Runner, reading: Reading, first: Plan) -> list[Plan]:
    """ "Who does dry needling, and does it work on sciatica": a query the question cues that no reading
    took (the condition is not its to account for), asked of the modality the question names."""
    named = [m for m in reading.entities if any(runner.lexicon.has_type(i, MODALITY) for i in m.iris)]
    taken = {p.query.name for p in reading.plans}
    made = []
    for name, positions in reading.cue_positions.items():
        query = runner.graph.query(name)
        param = next((p for p in query.params if p.rdf_class == MODALITY_CURIE), None)
        if (
            name in taken
            or param is None
            or not named
            or any(p.required and p is not param for p in query.params)
        ):
            continue
        cue = CueMatch(
            reading.cue_scores[name], min(positions), positions, reading.cue_strengths.get(name, 0)
        )
        made.append(Plan(query, {param.name: [m.iris[0] for m in named]}, frozenset(named), cue))
    return made
