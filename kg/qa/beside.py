"""A second side-by-side after the first: "compare their risks and their prices", "which should I choose,
price is the deciding factor"."""

from __future__ import annotations

from kg.catalogue import NamedQuery
from kg.qa.composed import Composed
from kg.qa.frames import Frame
from kg.qa.plans import Reading
from kg.qa.sides import Sides
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
