"""Questions in several parts about one thing: "who does it and what does it cost"."""

from __future__ import annotations

from kg.qa.composed import Composed
from kg.qa.named import Runner
from kg.qa.plans import Plan, Reading
from kg.qa.replies import query_info


def other_parts(reading: Reading, first: Plan) -> list[Plan]:
    """Other readings of the same thing after an "and" or beside it: "who does it and what does it
    cost", "cost, risk, and who does it" (a cue of function words only, "who does", after an "and")."""
    joins = [i for i, token in enumerate(reading.tokens) if token == "and"]
    if first.feeds or not first.cue.positions:
        return []
    parts = [first]
    for plan in reading.plans[1:]:
        if plan.feeds or not plan.cue.positions or any(p.query.name == plan.query.name for p in parts):
            continue
        if not plan.consumed <= first.consumed or (first.consumed and not plan.consumed):
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
    for part in other_parts(reading, first):
        runs, found = runner.execute(part)
        answers = runner.narrow(found, part, reading)
        if not answers:
            continue
        known = {a["iri"] for a in composed.answers}
        composed.answers += [a for a in answers if a["iri"] not in known]
        composed.text += " " + runner.sentence(part, runs, answers)
        composed.also = composed.also or {"intent": part.query.name, "query": query_info(runs[-1])}
