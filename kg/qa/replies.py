"""Parts of a reply that say how a question was read: the interpretation and the query that ran."""

from __future__ import annotations

from typing import Any

from kg.qa.lexicon import Lexicon
from kg.qa.named import Run
from kg.qa.plans import Plan, Reading


def interpretation(
    lexicon: Lexicon, reading: Reading, intent: str | None, plan: Plan | None
) -> dict[str, Any]:
    info: dict[str, Any] = {
        "intent": intent,
        "entities": [
            {"text": m.text, "iri": m.iris[0], "label": lexicon.label(m.iris[0]), "score": m.score}
            for m in reading.entities + reading.silent
        ],
        "classes": [{"text": m.text, "iri": m.iris[0]} for m in reading.classes],
    }
    if reading.amounts:
        info["amounts"] = [float(a) for a in reading.amounts]
    if reading.unknown:
        info["unknown"] = reading.unknown
    if reading.ignored:
        info["ignored"] = reading.ignored
    if reading.corrections:
        info["corrections"] = reading.corrections
    if plan and plan.feeds:
        info["steps"] = [plan.feeds.query.name, plan.query.name]
    return info


def query_info(run: Run) -> dict[str, Any]:
    return {"name": run.name, "params": run.result.params, "sparql": run.result.sparql}
