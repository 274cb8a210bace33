"""Wording of answers: labels in sentences, costs and hedges, and the answer as text for a terminal."""

from __future__ import annotations

from typing import Any

from kg.lexicon import Lexicon

Answer = dict[str, Any]


class Blank(dict[str, str]):
    """Template fields the answer has no value for read as empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def named(answer: Answer, lexicon: Lexicon) -> str:
    """An answer inside the sentence, with its cost and the source's own hedge when it hedges."""
    extras = []
    cost = answer.get("cost")
    if cost:
        extras.append(f"{cost['currency']} {number(cost['min'])}–{number(cost['max'])} per {cost['per']}")
    if answer.get("hedge"):
        extras.append(f"the source says “{answer['hedge']}”")
    label = lexicon.sentence_case(answer["label"])
    return f"{label} ({'; '.join(extras)})" if extras else label


def number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def render_answer(answer: Answer) -> str:
    """The answer as text for a terminal."""
    lines = [answer["text"], ""]
    for item in answer["answers"]:
        cost = item.get("cost")
        price = (
            f" — {cost['currency']} {number(cost['min'])}–{number(cost['max'])} per {cost['per']}"
            if cost
            else ""
        )
        hedge = f" (the source: {item['hedge']})" if item.get("hedge") else ""
        sources = "; ".join(s["section"] for s in item["sources"])
        lines.append(f"  • {item['label']}{price}{hedge}" + (f"  [{sources}]" if sources else ""))
    if answer.get("note"):
        lines += ["", answer["note"]]
    if answer.get("query"):
        params = " ".join(f"{k}={v}" for k, v in answer["query"]["params"].items())
        lines.append(f"(answered by the named query {answer['query']['name']} {params})".replace(" )", ")"))
    elif answer.get("suggestions"):
        lines += ["Try, for example:"] + [f"  - {s}" for s in answer["suggestions"]]
    return "\n".join(lines).rstrip()
