"""Spelling candidates (symspellpy, pyspellchecker), each with our graph's words added, and their scoring.

Our words get a high count: that of the 1,000th most frequent word of the candidate's own English list
(77.7 M in symspellpy's, 102 k in pyspellchecker's), so at the same edit distance a domain word wins over
rarer English words but not over the commonest ones; both candidates are treated alike.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import as_file, files
from typing import Any, Protocol

from bench.qalib.probe import latency, timed
from bench.qalib.words import words_of

VOCABULARY_RANK = 1000
SYMSPELL_WORDS = "frequency_dictionary_en_82_765.txt"
SYMSPELL_BIGRAMS = "frequency_bigramdictionary_en_243_342.txt"


class Speller(Protocol):
    def correct(self, word: str) -> str: ...

    def correct_text(self, text: str) -> str: ...


def per_word(correct: Callable[[str], str], text: str) -> str:
    """Each word corrected alone; one-letter words (i, a, the q of "quick q") are left as they are."""
    return " ".join(correct(word) if len(word) > 1 else word for word in words_of(text))


def _rank_count(counts: list[int]) -> int:
    ordered = sorted(counts, reverse=True)
    return ordered[min(VOCABULARY_RANK, len(ordered)) - 1]


class SymSpellWords:
    """symspellpy, one word at a time (`lookup`, the closest suggestion, the word itself if none)."""

    def __init__(self, vocabulary: list[str], distance: int, bigrams: bool = False) -> None:
        from symspellpy import SymSpell, Verbosity

        self.distance, self.top = distance, Verbosity.TOP
        self.sym = SymSpell(max_dictionary_edit_distance=distance, prefix_length=7)
        with as_file(files("symspellpy") / SYMSPELL_WORDS) as path:
            if not self.sym.load_dictionary(path, term_index=0, count_index=1):
                raise FileNotFoundError(f"symspellpy's bundled {SYMSPELL_WORDS} did not load")
        if bigrams:
            with as_file(files("symspellpy") / SYMSPELL_BIGRAMS) as path:
                self.sym.load_bigram_dictionary(path, term_index=0, count_index=2)
        count = _rank_count(list(self.sym.words.values()))
        for word in vocabulary:
            self.sym.create_dictionary_entry(word, count)

    def correct(self, word: str) -> str:
        found = self.sym.lookup(word, self.top, max_edit_distance=self.distance, include_unknown=True)
        return str(found[0].term) if found else word

    def correct_text(self, text: str) -> str:
        return per_word(self.correct, text)


class SymSpellCompound(SymSpellWords):
    """symspellpy's `lookup_compound`: the whole text at once, free to split and join words (the bundled
    bigram list loaded too, as the compound mode uses it to choose between splits)."""

    def __init__(self, vocabulary: list[str], distance: int) -> None:
        super().__init__(vocabulary, distance, bigrams=True)

    def correct(self, word: str) -> str:
        return self.correct_text(word)

    def correct_text(self, text: str) -> str:
        found = self.sym.lookup_compound(" ".join(words_of(text)), max_edit_distance=self.distance)
        return str(found[0].term) if found else text


class PySpell:
    """pyspellchecker's English list, `correction` (most frequent known word at the least distance)."""

    def __init__(self, vocabulary: list[str], distance: int) -> None:
        from spellchecker import SpellChecker

        self.spell = SpellChecker(language="en", distance=distance)
        count = _rank_count(list(self.spell.word_frequency.dictionary.values()))
        self.spell.word_frequency.load_json(dict.fromkeys(vocabulary, count))

    def correct(self, word: str) -> str:
        return self.spell.correction(word) or word

    def correct_text(self, text: str) -> str:
        return per_word(self.correct, text)


CANDIDATES: dict[str, tuple[str, Callable[[list[str]], Speller]]] = {
    "symspell-d1": ("symspellpy, lookup, max edit distance 1", lambda v: SymSpellWords(v, 1)),
    "symspell-d2": ("symspellpy, lookup, max edit distance 2", lambda v: SymSpellWords(v, 2)),
    "symspell-d2-compound": ("symspellpy, lookup_compound, distance 2", lambda v: SymSpellCompound(v, 2)),
    "symspell-d1-compound": ("symspellpy, lookup_compound, distance 1", lambda v: SymSpellCompound(v, 1)),
    "pyspell-d2": ("pyspellchecker, distance 2 (its default)", lambda v: PySpell(v, 2)),
    "pyspell-d1": ("pyspellchecker, distance 1", lambda v: PySpell(v, 1)),
}


def _gold_question(question: str, fixes: dict[str, str]) -> str:
    return " ".join(fixes.get(word, word) for word in words_of(question))


def _dev_typos(speller: Speller, rows: list[list[str]]) -> dict[str, Any]:
    """(a): each misspelt word of the dev questions alone, and each question as a whole (every word of it
    right: the typos fixed and nothing else changed; a real-word typo counts as right when left alone)."""
    nonword = [row for row in rows if row[3] == "nonword"]
    got = [speller.correct(row[1]) for row in nonword]
    questions: dict[str, dict[str, str]] = {}
    for question, typo, gold, kind in rows:
        questions.setdefault(question, {})
        if kind == "nonword":
            questions[question][typo] = gold
    fixed, question_micros = timed(speller.correct_text, list(questions), 1)
    exact = sum(f == _gold_question(q, fixes) for f, (q, fixes) in zip(fixed, questions.items(), strict=True))
    realword = [row for row in rows if row[3] == "realword"]
    return {
        "a_words": len(nonword),
        "a_accuracy": sum(g == row[2] for g, row in zip(got, nonword, strict=True)) / max(1, len(nonword)),
        "a_errors": [
            f"{row[1]}→{g} (want {row[2]})" for g, row in zip(got, nonword, strict=True) if g != row[2]
        ],
        "a_questions": len(questions),
        "a_question_exact": exact / max(1, len(questions)),
        "a_question_misses": [
            f for f, (q, fx) in zip(fixed, questions.items(), strict=True) if f != _gold_question(q, fx)
        ],
        "a_realword_fixed": sum(speller.correct(row[1]) == row[2] for row in realword),
        "a_realword": len(realword),
        "question_latency": latency(question_micros),
    }


def evaluate(speller: Speller, work: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Accuracy on (a) the dev typos, (b) generated one-edit typos (b2: two edits, beside the brief, to show
    what distance 2 buys); changes made to (c) correct words and (d) the words of the other dev questions;
    latency per word on typos and on known words."""
    result = _dev_typos(speller, work["dev_typos"])
    for key, pairs in (("b", work["generated_typos"]), ("b2", work["two_edit_typos"])):
        got, micros = timed(speller.correct, [typo for typo, _ in pairs], repeat if key == "b" else 1)
        misses = [
            f"{typo}→{g} (want {gold})" for g, (typo, gold) in zip(got, pairs, strict=True) if g != gold
        ]
        result[f"{key}_words"] = len(pairs)
        result[f"{key}_accuracy"] = 1 - len(misses) / max(1, len(pairs))
        result[f"{key}_errors"] = misses
        if key == "b":
            result["typo_latency"] = latency(micros)
    for key, words in (("c", work["correct_words"]), ("d", work["other_question_words"])):
        got, micros = timed(speller.correct, words, repeat)
        changed = [f"{w}→{g}" for w, g in zip(words, got, strict=True) if g != w]
        result[f"{key}_words"] = len(words)
        result[f"{key}_changed"] = len(changed) / max(1, len(words))
        result[f"{key}_examples"] = changed
        if key == "c":
            result["known_latency"] = latency(micros)
    return result
