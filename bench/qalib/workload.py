"""The workload every candidate is given, built once in the parent and written as JSON for the workers.

Each gold row is checked against what it claims to come from (a typo is a word of its dev question, a
labelled question is a dev question, a label names a query), so a stale gold file fails loudly.
"""

from __future__ import annotations

import random
from importlib.resources import as_file, files
from typing import Any

from bench.qalib import words
from bench.qalib.spelling import SYMSPELL_WORDS

GENERATED_TYPOS = 400
CORRECT_WORDS = 300
TWO_EDIT_TYPOS = 200


class GoldError(ValueError):
    """A hand-written gold file says something its source does not."""


def dictionary_words() -> set[str]:
    """The English words either spelling candidate knows out of the box (to reject generated typos that
    are themselves words)."""
    from spellchecker import SpellChecker

    known = set(SpellChecker(language="en").word_frequency.dictionary)
    with as_file(files("symspellpy") / SYMSPELL_WORDS) as path:
        known |= {line.split(maxsplit=1)[0] for line in path.read_text(encoding="utf-8").splitlines() if line}
    return known


def dev_typos(questions: dict[str, str]) -> list[list[str]]:
    rows = words.read_tsv(words.TYPOS)
    for question, typo, _gold, kind in rows:
        if questions.get(question) != "misspelt" or typo not in words.words_of(question):
            raise GoldError(f"{words.TYPOS}: {typo!r} is not a word of a misspelt dev question {question!r}")
        if kind not in ("nonword", "realword"):
            raise GoldError(f"{words.TYPOS}: kind {kind!r} of {typo!r} is neither nonword nor realword")
    return rows


def intents(questions: dict[str, str], names: set[str]) -> list[list[str]]:
    rows = words.read_tsv(words.INTENTS)
    for question, expected in rows:
        if question not in questions:
            raise GoldError(f"{words.INTENTS}: {question!r} is not a question of {words.DEV.name}")
        unknown = set(expected.split("|")) - names - {"none"}
        if unknown:
            raise GoldError(f"{words.INTENTS}: {question!r} names no query {sorted(unknown)}")
    return rows


def lemma_pairs() -> list[list[str]]:
    rows = words.read_tsv(words.LEMMAS)
    for row in rows:
        if len(row) != 3:
            raise GoldError(f"{words.LEMMAS}: {row[0]!r} needs word, lemma and UPOS")
    return rows


def _sample(rows: list[Any], size: int, rng: random.Random) -> list[Any]:
    """All rows, or `size` of them drawn with the seed (kept in file order)."""
    if not size or size >= len(rows):
        return rows
    keep = sorted(rng.sample(range(len(rows)), size))
    return [rows[i] for i in keep]


def build(sample: int, seed: int) -> dict[str, Any]:
    """Everything the workers read; `sample` > 0 caps every list at that many items (the smoke run)."""
    cases = words.dev_cases()
    questions = {str(case["q"]): str(case["kind"]) for case in cases}
    vocabulary = words.graph_vocabulary()
    documents = words.query_documents()
    known = dictionary_words() | set(vocabulary)
    sources = vocabulary + words.QUESTION_WORDS
    typos, redrawn = words.generated_typos(sources, known, sample or GENERATED_TYPOS, seed)
    two_edits, _ = words.generated_typos(sources, known, sample or TWO_EDIT_TYPOS, seed, edits=2)
    other = sorted(
        {w for q, kind in questions.items() if kind != "misspelt" for w in words.words_of(q) if len(w) > 1}
    )
    rng = random.Random(seed)
    return {
        "seed": seed,
        "vocabulary": vocabulary,
        "dev_typos": _sample(dev_typos(questions), sample, rng),
        "generated_typos": typos,
        "generated_redrawn": redrawn,
        "two_edit_typos": two_edits,
        "correct_words": words.correct_words(vocabulary, sample or CORRECT_WORDS, seed),
        "other_question_words": _sample(other, sample, rng),
        "lemmas": _sample(lemma_pairs(), sample, rng),
        "documents": documents,
        "intents": _sample(intents(questions, {name for name, _ in documents}), sample, rng),
    }
