"""A second side-by-side after the first: "compare their risks and their prices", "which should I choose,
price is the deciding factor"."""

from __future__ import annotations

from kg.catalogue import NamedQuery
from kg.qa.answers import also_named
from kg.qa.composed import Composed
from kg.qa.evidence import RETRIEVED, Evidence
from kg.qa.frames import Frame
from kg.qa.plans import Plan, Reading
from kg.qa.sides import IN_THE_ANSWERS, Sides
from kg.qa.vocab import COMPARE, COST


def beside(sides: Sides, composed: Composed, aspect: NamedQuery, reading: Reading) -> None:
    """The two modalities side by side on one more aspect: a price goes on the answers already there; other
    things are answers of their own."""
    more = sides.answer(Frame(COMPARE, aspect=aspect), False)
    if more is None:
        return
    if aspect.name == COST:
        sides.runner.add_costs(composed.answers, reading)
    else:
        there = {a.get("iri") for a in composed.answers}
        composed.answers += [a for a in more.answers if a.get("iri") not in there]
    composed.text += " " + more.text
    composed.runs[:0] = more.runs  # the reply's query stays the first aspect's (the last run)


def with_prices(sides: Sides, composed: Composed, reading: Reading) -> None:
    """A choice where the price counts: each modality's price, on its answer and in words."""
    beside(sides, composed, sides.runner.graph.query(COST), reading)


def on_the_point(
    evidence: Evidence, composed: Composed, reading: Reading, picks: bool, modalities: list[str]
) -> None:
    """ "Which is more widely accepted, A or B": what the source says of either on the question's own words,
    before the general comparison; with a choice asked ("tight calves: A or B?"), the one it says it of."""
    said, answers = evidence.on_the_point(reading, modalities)
    composed.text = f"{said} {composed.text}".strip()
    if picks and answers:
        others = set(modalities) - {i for a in answers for i in a["_about"]}
        composed.answers = [a for a in composed.answers if a["iri"] not in others]
        composed.text = composed.text.replace(IN_THE_ANSWERS, "")
    composed.answers += answers


def which_on_the_point(
    evidence: Evidence, reading: Reading, plan: Plan | None, modalities: list[str]
) -> Composed | None:
    """ "Which practice does the article call widely accepted": a "which" naming nothing, whose only readings
    are ones no words ask for, is answered with what the source says on the question's own words, and the
    one modality it says it of (not when it says it of both)."""
    if "which" not in reading.tokens or reading.entities or (plan is not None and plan.cue.positions):
        return None
    said, answers = evidence.on_the_point(reading, modalities)
    about = {i for a in answers for i in a["_about"]} & set(modalities)
    if len(about) != 1:
        return None
    named = also_named(sorted(about), evidence.lexicon.label, answers)
    composed = Composed(RETRIEVED, said, named + answers, [])
    composed.general = False
    return composed
