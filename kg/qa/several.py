"""One modality and several conditions: "does acupuncture treat sciatica, back pain or plantar fasciitis"
asks which of them the source names it for."""

from __future__ import annotations

from kg.qa.composed import Composed
from kg.qa.named import Runner
from kg.qa.plans import NO_CUE, Plan
from kg.qa.vocab import CONDITIONS
from kg.qa.wording import capital, join, with_hedge


def which_of(runner: Runner, composed: Composed, modality: str, conditions: list[str]) -> None:
    """Say which of the conditions named the source names the modality for (each with its hedge) and for
    which it does not; those it is named for become answers beside it. An answer that already lists the
    modality's conditions only gets the ones left out."""
    asked = list(dict.fromkeys(conditions))
    if len(asked) < 2:
        return
    lexicon = runner.lexicon
    plan = Plan(runner.graph.query(CONDITIONS), {"modality": [modality]}, frozenset(), NO_CUE)
    named = [a for a in runner.execute(plan)[1] if a["iri"] in asked]
    name = lexicon.name(modality)
    rest = join([lexicon.name(i) for i in asked if i not in {a["iri"] for a in named}])
    if composed.intent == CONDITIONS:
        if named and rest:
            composed.text += f" It does not name {name} for {rest}."
        return
    listed = join([lexicon.name(i) for i in asked])
    if named:
        said = join([with_hedge(a, name, lexicon) for a in named])
        text = f"Of {listed}, the source names {name} for {said}" + (f"; not for {rest}" if rest else "")
    else:
        text = f"The source names {name} for none of {listed}"
    composed.text = f"{capital(text)}. {composed.text}"
    there = {a["iri"] for a in composed.answers}
    composed.answers += [a for a in named if a["iri"] not in there]
