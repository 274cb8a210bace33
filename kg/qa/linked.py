"""A "no" that is not one: "does acupuncture offer pain relief" finds no benefit of that name, but the source
links acupuncture to pain relief another way (it aims for it), so the answer is that link, not a denial."""

from __future__ import annotations

from kg.qa.answers import Answer
from kg.qa.composed import Composed
from kg.qa.named import Runner
from kg.qa.plans import NO_CUE, Plan, Reading
from kg.qa.vocab import CONDITION, HOW, MODALITY_CURIE, WHICH


def linked_otherwise(runner: Runner, plan: Plan, reading: Reading, modalities: set[str]) -> Composed | None:
    """The source's link between each modality the plan asks about and the thing the question names, when
    the plan's own query has no answer of that name but the source links the two another way."""
    asked = {
        v for p in plan.query.params if p.rdf_class == MODALITY_CURIE for v in plan.values.get(p.name, [])
    }
    things = sorted(runner.narrowing(plan, reading) - modalities)
    if not asked or len(things) != 1:
        return None
    which = Plan(runner.graph.query(WHICH), {"value": things}, frozenset(), NO_CUE)
    runs, found = runner.execute(which)
    mine = [a for a in found if a["iri"] in asked]
    if {a["iri"] for a in mine} != asked:
        return None
    composed = Composed(WHICH, runner.sentence(which, runs, mine), mine, runs)
    composed.plan = which
    return composed


def not_given_for(runner: Runner, plan: Plan, answers: list[Answer]) -> list[str]:
    """The conditions a reading left aside as its setting for which the source does not give what was
    found: "which therapy releases endorphins for sciatica" (said for back pain only) gets a note; "twitch
    response for back pain" does not (dry needling for back pain works by it)."""
    conditions = [m.iris[0] for m in plan.context if runner.lexicon.has_type(m.iris[0], CONDITION)]
    values = set(plan.values.get("value", [])) if plan.query.name == WHICH else set()
    found = [a["iri"] for a in answers]
    if not values or not conditions:
        return conditions
    how = runner.graph.query(HOW)

    def given(condition: str) -> bool:  # what the modalities found work by, aim for, target there
        plan = Plan(how, {"modality": found, "condition": [condition]}, frozenset(), NO_CUE)
        return bool(values & {a["iri"] for a in runner.execute(plan)[1]})

    return [c for c in conditions if not given(c)]
