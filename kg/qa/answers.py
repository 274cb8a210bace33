"""Answers built from query rows: one answer per resource, with its cost, sources, facts, our own notes
and every hedge of the article next to the statement it qualifies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kg.qa.wording import CURRENCY_NOTE
from kg.terms import Row

Answer = dict[str, Any]

_COST_VARS = ("minPrice", "maxPrice", "currency")
# Columns that are not facts to list: where the row comes from, its hedges, the price (shown as `cost`)
# and our own explanation (shown as `our_explanation`, never as the article's).
_SKIP_DETAILS = {
    "sections",
    "article",
    "hedge",
    "costHedge",
    "minPrice",
    "maxPrice",
    "currency",
    "unit",
    "ourExplanation",
}


def merge(per_run: list[list[Answer]], intersect: bool) -> list[Answer]:
    merged: dict[str, Answer] = {}
    for answers in per_run:
        for answer in answers:
            if answer["iri"] in merged:
                _merge_into(merged[answer["iri"]], answer)
            else:
                merged[answer["iri"]] = answer
    if intersect:
        common = set.intersection(*({a["iri"] for a in answers} for answers in per_run)) if per_run else set()
        return [a for iri, a in merged.items() if iri in common]
    return list(merged.values())


def _merge_into(target: Answer, other: Answer) -> None:
    """One answer found by several runs (sciatica and back pain): its sources, and each run's statement
    with its own hedge."""
    for source in other["sources"]:
        if source not in target["sources"]:
            target["sources"].append(source)
    for about, hedge in other.get("_statements", {}).items():
        target.setdefault("_statements", {}).setdefault(about, hedge)
    if said_of := other.get("_severity_for"):
        target.setdefault("_severity_for", []).extend(said_of)
    for fact in other.get("facts", []):
        if fact not in target.setdefault("facts", []):
            target["facts"].append(fact)


def absorb(answer: Answer, row: Row, key: str, about: str) -> None:
    """Fold one row into its answer: cost, the row's statement and its hedge, sources, and the other facts
    the query returned. Each hedge stays with the statement it qualifies: a comparison's row is a fact of
    its own (`facts`), the price's hedge goes on the cost, and the row's statement on the answer."""
    hedge = _text(row, "hedge")
    sources = _sources(row)
    if all(v in row for v in _COST_VARS) and "cost" not in answer:
        answer["cost"] = _cost(row)
    if "aspect" in row:
        if row["aspect"].value == "cost":
            if hedge and "cost" in answer:
                answer["cost"]["hedge"] = hedge
        elif "valueLabel" in row:
            fact: Answer = {"aspect": row["aspect"].value, "label": row["valueLabel"].value}
            if row.get("value") is not None and row["value"].kind == "iri":
                fact["iri"] = row["value"].value
            if hedge:
                fact["hedge"] = hedge
            fact["sources"] = sources
            answer.setdefault("facts", []).append(fact)
    else:
        answer.setdefault("_statements", {}).setdefault(about, hedge)
        if (cost_hedge := _text(row, "costHedge")) and "cost" in answer:
            answer["cost"]["hedge"] = cost_hedge
    if (ours := _text(row, "ourExplanation")) is not None:
        answer["our_explanation"] = ours
    for source in sources:
        if source not in answer["sources"]:
            answer["sources"].append(source)
    if _text(row, "severity") and about:  # "minor" is said of acupuncture's bruising, not of dry needling's
        answer.setdefault("_severity_for", []).append(about)
    _absorb_details(answer, row, key)


def _absorb_details(answer: Answer, row: Row, key: str) -> None:
    """The row's other literals, as lists under their names. A column `xHedge` is the article's hedge on
    the column `x` (the advice "can offer"), so it is worded next to that value."""
    details = answer.setdefault("details", {})
    for name, term in row.items():
        if name in _SKIP_DETAILS or name == key or name == key + "Label" or term.kind != "literal":
            continue
        if name.endswith("Hedge") or ("aspect" in row and name in ("aspect", "valueLabel")):
            continue
        bucket = details.setdefault(name.removesuffix("Label"), [])
        value = term.to_python()
        if hedge := _text(row, name + "Hedge"):
            value = (
                f"{str(value).rstrip('.')} (the source says “{hedge}”)"  # a sentence's hedge before its stop
            )
        if value not in bucket:
            bucket.append(value)
    if not details:
        answer.pop("details")


def place_hedges(answer: Answer) -> None:
    """One statement behind the answer: its hedge is the answer's. Several (a risk of each modality, a
    treatment for each condition) with different hedges: each is listed with what it is about."""
    statements: dict[str, str | None] = answer.pop("_statements", {})
    answer["_for"] = [about for about in statements if about]  # kept for a side-by-side; never shown
    hedges = set(statements.values())
    if len(hedges) == 1:
        if hedge := hedges.pop():
            answer["hedge"] = hedge
    elif hedges:
        answer["hedges"] = [
            {"for": about, **({"hedge": hedge} if hedge else {})} for about, hedge in statements.items()
        ]


def public(answer: Answer) -> Answer:
    """The answer without the keys kept for composing it (those starting with "_")."""
    return {k: v for k, v in answer.items() if not k.startswith("_")}


def _cost(row: Row) -> dict[str, Any]:
    cost: dict[str, Any] = {
        "min": row["minPrice"].to_python(),
        "max": row["maxPrice"].to_python(),
        "currency": row["currency"].value,
        "per": row["unit"].value if "unit" in row else "session",
    }
    if cost["currency"] == "USD":
        cost["currency_note"] = CURRENCY_NOTE
    return cost


def _sources(row: Row) -> list[dict[str, str]]:
    title = row.get("articleTitle") or row.get("article")
    article = title.value if title is not None and title.kind == "literal" else "Dry Needling vs Acupuncture"
    if "sections" not in row:
        return []
    return [
        {"title": article, "section": s}
        for s in dict.fromkeys(filter(None, row["sections"].value.split("; ")))
    ]


def _text(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None and term.value else None


def is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def also_named(iris: list[str], label: Callable[[str], str], found: list[Answer]) -> list[Answer]:
    """Things the question named, as answers beside those found ("does acupuncture release endorphins":
    the endorphins too), each citing the first source of the answers found."""
    cited = [x for a in found for x in a.get("sources", [])][:1]
    return [{"iri": i, "label": label(i), "sources": cited} for i in iris]
