"""Words that compare: "riskier", "more holistic", "cheaper than", and which prices a comparison of prices
asks for ("by how much": every price)."""

from __future__ import annotations

from kg.qa.plans import Reading
from kg.qa.words import lemma

COMPARATIVE = frozenset("more less most least".split())
_EVERY_PRICE = frozenset(["each", "both", "gap", "difference"])  # "for each", "the gap between": every price


def every_price(tokens: list[str]) -> bool:
    """ "For each", "by how much", "how much cheaper": every price is an answer, not "how much is it"."""
    much = [i for i, t in enumerate(tokens) if t == "much"]
    by_how = any(tokens[max(0, i - 2) : i] == ["by", "how"] for i in much)
    return (
        by_how
        or any(comparative(tokens[i + 1]) for i in much if i + 1 < len(tokens))
        or bool(_EVERY_PRICE & set(tokens))
    )


def comparative(token: str) -> bool:
    """ "riskier", "safer", "cheaper", "more": a word that compares."""
    if token in COMPARATIVE:
        return True
    return token.endswith(("er", "ier")) and len(token) > 4 and lemma(token) != token


def compares(reading: Reading) -> bool:
    """Whether the question uses a comparative: "riskier", "more holistic", "cheaper than"."""
    named = {i for m in reading.mentions for i in range(m.start, m.end)}
    return any(comparative(t) for i, t in enumerate(reading.tokens) if i not in named)
