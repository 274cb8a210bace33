"""Wording of answers: labels in sentences, costs and hedges, and the answer as text for a terminal."""

from __future__ import annotations

from typing import Any

from kg.qa.lexicon import Lexicon

Answer = dict[str, Any]

# The article gives its prices in dollars and never names a currency; the graph's "USD" is our reading.
CURRENCY_NOTE = "The article gives prices in dollars without naming a currency; USD is our reading."
OURS = "Our explanation, not from the article"


class Blank(dict[str, str]):
    """Template fields the answer has no value for read as empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def named(answer: Answer, lexicon: Lexicon) -> str:
    """An answer inside the sentence, each hedge next to what it qualifies: the statement the answer is
    (or each of its statements), then the price with the price's own hedge."""
    extras = []
    if hedges := hedge_words(answer):
        extras.append(f"the source says {hedges}")
    extras += [f"aimed at {lexicon.sentence_case(t)}" for t in answer.get("details", {}).get("target", [])]
    said_of = list(dict.fromkeys(answer.get("_severity_for", [])))  # of some of the modalities only
    of = f" for {join(said_of)}" if said_of and len(said_of) < len(answer.get("_for", ())) else ""
    for severity in answer.get("details", {}).get("severity", []):
        extras.append(
            f"the source calls it {severity}{of}"
        )  # "minor side effects like bruising and soreness"
    if cost := answer.get("cost"):
        extras.append(price(cost))
    label = lexicon.sentence_case(answer["label"])
    return f"{label} ({'; '.join(extras)})" if extras else label


def hedge_words(answer: Answer) -> str:
    """The article's hedges on the answer: “can be”, or one per statement when they differ, each with
    what it is about: “in rare cases” for dry needling, “in rare instances” for acupuncture."""
    if answer.get("hedge"):
        return f"“{answer['hedge']}”"
    statements = answer.get("hedges") or []
    hedged = [f"“{s['hedge']}” for {s['for']}" for s in statements if s.get("hedge")]
    plain = [s["for"] for s in statements if not s.get("hedge")]
    if not hedged:
        return ""
    return ", ".join(hedged) + (f"; plainly for {join(plain)}" if plain else "")


def price(cost: dict[str, Any]) -> str:
    """$50–150 per session, with the article's hedge on the price in front (“averages around” $70–150)."""
    low, high = number(cost.get("min")), number(cost.get("max"))
    amount = f"${low}–{high}" if cost.get("currency") == "USD" else f"{cost.get('currency', '')} {low}–{high}"
    said = f"“{cost['hedge']}” " if cost.get("hedge") else ""
    return f"{said}{amount} per {cost.get('per', 'session')}"


def number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def render_answer(answer: Answer) -> str:
    """The answer as text for a terminal."""
    lines = [answer["text"], ""]
    if answer.get("not_in_source"):
        lines[1:1] = [f"Not in the article: {', '.join(answer['not_in_source'])}", ""]
    for item in answer["answers"]:
        cost = f" — {price(item['cost'])}" if item.get("cost") else ""
        hedges = hedge_words(item)
        hedge = f" (the source says {hedges})" if hedges else ""
        sources = "; ".join(s["section"] for s in item["sources"])
        lines.append(f"  • {item['label']}{hedge}{cost}" + (f"  [{sources}]" if sources else ""))
        lines += [f"      {aspect}: {values}" for aspect, values in facts_by_aspect(item)]
        if item.get("our_explanation"):
            lines.append(f"      {OURS}: {item['our_explanation']}")
    if answer.get("note"):
        lines += ["", answer["note"]]
    reading = answer.get("interpretation", {})
    if reading.get("corrections"):
        lines.append(
            "(spelling read as: " + ", ".join(f"{a} → {b}" for a, b in reading["corrections"].items()) + ")"
        )
    if reading.get("intent") == "retrieved_claims":
        lines.append("(no named query fits: these are the article's claims closest to the question)")
    if answer.get("query"):
        params = " ".join(f"{k}={v}" for k, v in answer["query"]["params"].items())
        lines.append(f"(answered by the named query {answer['query']['name']} {params})".replace(" )", ")"))
    elif answer.get("suggestions"):
        lines += ["Try, for example:"] + [f"  - {s}" for s in answer["suggestions"]]
    return "\n".join(lines).rstrip()


def facts_by_aspect(answer: Answer) -> list[tuple[str, str]]:
    """The facts of a comparison answer as text, an aspect a line, each value with its own hedge."""
    grouped: dict[str, list[str]] = {}
    for fact in answer.get("facts", []):
        shown = f"{fact['label']} (“{fact['hedge']}”)" if fact.get("hedge") else fact["label"]
        grouped.setdefault(fact["aspect"], []).append(shown)
    return [(aspect, ", ".join(values)) for aspect, values in grouped.items()]


def hedged(text: str, hedge: str | None) -> str:
    return f"{text} (the source says “{hedge}”)" if hedge else text


def fit_statement(s: dict[str, str], lexicon: Lexicon) -> str:
    """One of the article's statements on which modality fits whom, with its hedge."""
    if s["relation"] == "advice":
        return hedged(s["valueLabel"].rstrip("."), s["hedge"])
    subject = lexicon.name(s["modality"]) if s["modality"] else ""
    said = f"{subject} {s['relation']} {lexicon.sentence_case(s['valueLabel'])}"
    return hedged(said.strip(), s["hedge"])


def with_hedge(answer: Answer, modality: str, lexicon: Lexicon) -> str:
    """An answer in a list about one modality, with that modality's own hedge (or the answer's)."""
    label = lexicon.sentence_case(answer["label"])
    hedge = answer.get("hedge") or next(
        (h.get("hedge") for h in answer.get("hedges", []) if h.get("for") == modality), None
    )
    if answer.get("cost"):
        return f"{label} {price(answer['cost'])}"
    aims = "".join(
        f", aimed at {lexicon.sentence_case(t)}" for t in answer.get("details", {}).get("target", [])
    )
    return hedged(label, hedge) + aims  # a technique: what it reaches


def said_by_both(answer: Answer, lexicon: Lexicon) -> str:
    """A value both modalities have, with each one's hedge."""
    label = lexicon.sentence_case(answer["label"])
    if answer.get("hedge"):
        return f"{label} (the source says “{answer['hedge']}”)"
    hedges = [f"“{h['hedge']}” for {h['for']}" for h in answer.get("hedges", []) if h.get("hedge")]
    return f"{label} (the source says {', '.join(hedges)})" if hedges else label


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def severity_note(rows: list[Any]) -> str:
    """ "Of acupuncture the source calls bruising and soreness minor": how severe the source says risks
    are, and of which modality, from the rows that say so."""
    said: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        if "severity" in row and "modalityLabel" in row and "riskLabel" in row:
            key = (row["modalityLabel"].value.lower(), row["severity"].value)
            said.setdefault(key, []).append(row["riskLabel"].value.lower())
    return "".join(
        f" Of {modality} the source calls {join(labels)} {severity}."
        for (modality, severity), labels in said.items()
    )


# Words that ask whether the source is sure of something: "does it definitely", "always", "guaranteed".
_CERTAIN = frozenset(
    "definitely definite always guaranteed guarantee guarantees certain certainly surely absolutely "
    "undoubtedly invariably strongly".split()  # "does the article put it that strongly?"
)


_MAYBE = frozenset(["might", "may", "could", "possibly", "maybe", "perhaps"])


def not_for_certain(tokens: list[str], answers: list[Answer]) -> str:
    """ "Does acupuncture definitely release endorphins": when the source hedges what is answered, say
    first that it does not put it that surely, with its own hedges."""
    only_may = any(  # "does it say it will help, or only that it might?"
        t in ("only", "just", "merely") and _MAYBE & set(tokens[i + 1 : i + 4]) for i, t in enumerate(tokens)
    )
    if not _CERTAIN & set(tokens) and not only_may:
        return ""
    hedges = [a.get("hedge") for a in answers] + [
        h.get("hedge") for a in answers for h in a.get("hedges", [])
    ]
    said = list(dict.fromkeys(h for h in hedges if h))[:3]
    return f"Not for certain: the source hedges it ({', '.join(f'“{h}”' for h in said)})." if said else ""


def ranking(said: str) -> str:
    """A ranking asked, as said of one of the two: "is safer", "is more painful", "hurts less", "carries more
    risk" (a verb of the question's own stays)."""
    words = said.split()
    return f"is {said}" if len(words) == 1 or words[0] in ("more", "less", "most", "least") else said
