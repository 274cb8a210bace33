"""Lemmatizer candidates (simplemma, lemminflect, our crude plural folding) and their scoring.

With no part-of-speech tagger in the service, lemminflect's fair use is `getAllLemmas` (every reading the
word has) and one fixed preference between the readings; two preferences are measured, nouns first (our
labels are nouns) and verbs first (question words are verbs and auxiliaries). `getLemma` with the gold's
own part of speech is measured as well, as the ceiling a perfect tagger would give: no candidate here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.qalib.probe import latency, timed

Lemmatizer = Callable[[str, str], str]  # (word, gold UPOS, used only by the ceiling) -> lemma

NOUN_FIRST = ("NOUN", "PROPN", "VERB", "AUX", "ADJ", "ADV")
VERB_FIRST = ("VERB", "AUX", "NOUN", "PROPN", "ADJ", "ADV")


def simplemma_en() -> Lemmatizer:
    import simplemma

    simplemma.lemmatize("warm", lang="en")  # the English data loads on first use: count it in the load

    def lemma(word: str, _upos: str) -> str:
        return str(simplemma.lemmatize(word, lang="en"))

    return lemma


def lemminflect_ordered(order: tuple[str, ...]) -> Lemmatizer:
    import lemminflect

    lemminflect.getAllLemmas("warm")  # loads its tables

    def lemma(word: str, _upos: str) -> str:
        readings = lemminflect.getAllLemmas(word)
        if not readings:  # not in its dictionary: its own rules for unknown words, as the first reading
            readings = lemminflect.getAllLemmasOOV(word, order[0])
        for upos in order:
            if upos in readings:
                return str(readings[upos][0])
        return word

    return lemma


def lemminflect_gold_pos() -> Lemmatizer:
    import lemminflect

    lemminflect.getLemma("warm", upos="VERB")

    def lemma(word: str, upos: str) -> str:
        found = lemminflect.getLemma(word, upos=upos)
        return str(found[0]) if found else word

    return lemma


def crude_stem() -> Lemmatizer:
    from kg.qa.lexicon import stem

    def lemma(word: str, _upos: str) -> str:
        return stem(word)

    return lemma


CANDIDATES: dict[str, tuple[str, Callable[[], Lemmatizer]]] = {
    "simplemma": ('simplemma, lemmatize(word, lang="en")', simplemma_en),
    "lemminflect-noun-first": (
        "lemminflect, getAllLemmas, noun reading first",
        lambda: lemminflect_ordered(NOUN_FIRST),
    ),
    "lemminflect-verb-first": (
        "lemminflect, getAllLemmas, verb reading first",
        lambda: lemminflect_ordered(VERB_FIRST),
    ),
    "lemminflect-gold-pos": ("lemminflect, getLemma with the gold UPOS (ceiling)", lemminflect_gold_pos),
    "crude-stem": ("kg.qa.lexicon.stem (ours today)", crude_stem),
}


def evaluate(lemmatize: Lemmatizer, pairs: list[list[str]], repeat: int) -> dict[str, Any]:
    got, micros = timed(lambda row: lemmatize(row[0], row[2]), pairs, repeat)
    errors = [f"{row[0]}→{g} (want {row[1]})" for g, row in zip(got, pairs, strict=True) if g != row[1]]
    return {
        "words": len(pairs),
        "accuracy": 1 - len(errors) / max(1, len(pairs)),
        "errors": errors,
        "latency": latency(micros),
    }
