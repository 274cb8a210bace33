"""Parts of a reply that say how a question was read: the interpretation and the query that ran."""

from __future__ import annotations

from itertools import dropwhile
from typing import Any

from kg.qa.lexicon import Lexicon, Mention
from kg.qa.named import Run
from kg.qa.plans import Plan, Reading
from kg.qa.stopwords import STOPWORDS
from kg.qa.wording import join
from kg.qa.words import stems


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


def coverage(lexicon: Lexicon, modality: str, condition: str, category: str) -> str:
    """What the graph covers, in words, for a refusal: its modalities' aspects and its conditions."""
    types = lexicon.types
    modalities = sorted(lexicon.name(i) for i, t in types.items() if modality in t)
    conditions = sorted(lexicon.name(i) for i, t in types.items() if condition in t and category not in t)
    return (
        f"{join(modalities)}: their origins, techniques, targets, benefits, risks, practitioners and "
        f"session costs, and the conditions {join(conditions)}"
    )


def say_what_is_broader(reply: dict[str, Any], reading: Reading, lexicon: Lexicon) -> None:
    """A narrower topic than the article's ("lower back pain") was answered as its broader one: say so
    first, and list the narrower topic as not in the source."""
    pairs = [
        (topic, lexicon.name(m.iris[0]))
        for m in reading.entities
        if (topic := lexicon.narrower.get(stems(m.text)))
    ]
    if not pairs:
        return
    narrower = [lexicon.sentence_case(topic) for topic, _ in pairs]
    broader = list(dict.fromkeys(b for _, b in pairs))
    reply["not_in_source"] = reply.get("not_in_source", []) + [n.lower() for n in narrower]
    reply["text"] = (
        f"The article speaks of {join(broader)} in general and does not single out {join(narrower)}. "
        + reply["text"]
    )


def topic_name(label: str, typed: list[str]) -> str:
    """An uncovered topic by the name the graph gives it, and what was typed for it when that name shares
    no word with it: "blood-borne infections (hepatitis)", "... (wiped out, sleepy)"."""
    said = {w[:5] for text in typed for w in text.lower().split() if len(w) > 2}
    if said & {w[:5] for w in label.lower().split()} or not said:
        return label.lower()
    # "(nhs)", not "(on the nhs)"
    shown = [" ".join(dropwhile(STOPWORDS.__contains__, text.lower().split())) for text in typed]
    shown = list(dict.fromkeys(t for t in shown if t))
    return f"{label.lower()} ({', '.join(shown)})" if shown else label.lower()


def topic_names(silent: list[Mention], lexicon: Lexicon) -> list[str]:
    """Each uncovered topic the question names, once, with everything typed for it."""
    typed: dict[str, list[str]] = {}
    for mention in silent:
        typed.setdefault(mention.iris[0], []).append(mention.text)
    return [topic_name(lexicon.label(iri), said) for iri, said in typed.items()]
