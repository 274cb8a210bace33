"""Amounts of money in a question: "$45", "60 dollars", "fifty bucks", "a hundred and twenty dollars"."""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.catalogue import NamedQuery
from kg.qa.lexicon import Lexicon
from kg.qa.plans import CueMatch, Reading
from kg.qa.vocab import UNDER
from kg.qa.words import NUMBER

AMOUNT = re.compile(r"\$ ?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?) ?(?:dollars?|usd|bucks)\b")


def bare_amounts(tokens: list[str], queries: list[NamedQuery], matches: dict[str, CueMatch]) -> list[str]:
    """ "under 60": a bare number counts as an amount right after a cue of a query that takes one."""
    wants_amount = [matches[q.name] for q in queries if any(p.type == "decimal" for p in q.params)]
    cue_ends = {max(m.positions) for m in wants_amount if m.positions}
    return [t.lstrip("$") for i, t in enumerate(tokens) if NUMBER.match(t) and i - 1 in cue_ends]


def amounts_in(text: str, tokens: list[str]) -> list[str]:
    """The amounts the question gives, in figures or else in words, as plain numbers."""
    return [a or b for a, b in AMOUNT.findall(text)] or worded_amounts(tokens)


_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_MONEY = frozenset(["dollars", "dollar", "bucks", "buck", "usd"])
_NUMBER_WORDS = frozenset([*_UNITS, *_TENS, "hundred"])


def worded_amounts(tokens: list[str]) -> list[str]:
    """ "fifty bucks", "a hundred and twenty dollars": an amount in words, right before a word for money."""
    found = []
    for end, token in enumerate(tokens):
        if token not in _MONEY:
            continue
        start = end
        while start > 0 and (tokens[start - 1] in _NUMBER_WORDS or tokens[start - 1] in ("and", "a")):
            start -= 1
        value = _read_number(tokens[start:end])
        if value:
            found.append(str(value))
    for start, token in enumerate(tokens):  # "for under a hundred", "less than sixty": a limit's amount
        if token not in _LIMITS or start + 1 >= len(tokens):
            continue
        end = start + 1
        while end < len(tokens) and (tokens[end] in _NUMBER_WORDS or tokens[end] in ("and", "a")):
            end += 1
        value = _read_number(tokens[start + 1 : end])
        if value >= 10 and str(value) not in found:
            found.append(str(value))
    return found


def than_amount(tokens: list[str], index: int) -> bool:
    """Whether "than" and an amount follow the word at `index`: "cheaper than $80", "less than sixty"."""
    after = tokens[index + 1 : index + 3]
    return (
        len(after) == 2 and after[0] == "than" and bool(NUMBER.match(after[1]) or after[1] in _NUMBER_WORDS)
    )


_LIMITS = frozenset(["under", "below", "than", "within", "max", "maximum", "most", "around", "about"])


def _read_number(words: list[str]) -> int:
    total, current = 0, 0
    for word in words:
        if word in _UNITS or word in _TENS:
            current += _UNITS.get(word, 0) + _TENS.get(word, 0)
        elif word == "hundred":
            total += 100 * (current or 1)
            current = 0
    return total + current


def money_units(tokens: list[str]) -> set[int]:
    """The places of "dollars" in "60 dollars", "fifty bucks": part of an amount, not a word asking for
    the cost."""
    return {
        i
        for i, token in enumerate(tokens)
        if token in _MONEY and i > 0 and (NUMBER.match(tokens[i - 1]) or tokens[i - 1] in _NUMBER_WORDS)
    }


# words after a price that make it a description of a thing, not a budget: "the $50 one", "$50 session"
_DESCRIBED = frozenset("one ones therapy treatment session option needling modality thing".split())
_STANDS_FOR = frozenset(["one", "ones", "thing", "option"])  # taken by the name, not kept beside it


def named_by_price(
    tokens: list[str], ranges: dict[str, tuple[float, float]], budget: set[int]
) -> tuple[str, int, int] | None:
    """ "The $50 one", "the $70-$150 therapy": a price, or a range, that the source gives one thing alone
    names it, unless a word of a budget comes just before it (`budget`: "under $70"). The thing, and where
    its description starts and ends in the tokens."""
    index = 0
    while index < len(tokens):
        if not NUMBER.match(tokens[index]):
            index += 1
            continue
        end = index + 2 if index + 1 < len(tokens) and NUMBER.match(tokens[index + 1]) else index + 1
        values = tuple(float(t.lstrip("$")) for t in tokens[index:end])
        described = end < len(tokens) and tokens[end] in _DESCRIBED
        if (described or len(values) == 2) and not budget & {index - 1, index - 2}:
            found = [
                i for i, span in ranges.items() if (span == values if len(values) == 2 else values[0] in span)
            ]
            if len(found) == 1:
                return found[0], index, end + (1 if end < len(tokens) and tokens[end] in _STANDS_FOR else 0)
        index = end
    return None


def read_prices(
    reading: Reading, read: Callable[[str], Reading], ranges: dict[str, tuple[float, float]], lexicon: Lexicon
) -> Reading:
    """ "What does the $50 one target": a price the source gives one modality alone names it; the question
    is read again with the name in its place (and the interpretation says so)."""
    budget = {i for p in reading.plans if p.query.name == UNDER for i in p.cue.positions}  # "under $70"
    if (named := named_by_price(reading.tokens, ranges, budget)) is None:
        return reading
    iri, start, end = named
    label = lexicon.label(iri)
    again = read(" ".join([*reading.tokens[:start], lexicon.sentence_case(label), *reading.tokens[end:]]))
    typed = [t for t in reading.tokens[start:end] if not NUMBER.match(t)]
    said = "-".join(t for t in reading.tokens[start:end] if NUMBER.match(t))
    again.corrections = {**reading.corrections, " ".join([said, *typed]): label}
    return again
