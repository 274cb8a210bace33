"""Spelling: a word that is neither English nor the graph's read as the word meant, alone or with the
words beside it, and how a word sounds when it is spelt by ear."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from symspellpy import SymSpell, Verbosity

from kg.qa.stopwords import STOPWORDS
from kg.qa.words import (
    COMMON_RANK,
    RARE_RANK,
    SYMSPELL_PREFIX,
    TYPO_RANK,
    american,
    english,
    is_common,
    lemma,
    normalize,
)


@dataclass
class Speller:
    """Corrects a word that is neither English nor the graph's, preferring the graph's words on a tie."""

    vocabulary: frozenset[str]
    compounds: dict[str, str] = field(default_factory=dict)  # "wellbeing" → "well being"
    sounds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sound(word) → the graph's words
    _domain: SymSpell | None = None
    pairs: frozenset[tuple[str, str]] = frozenset()  # two words side by side in a phrase: "dry needling"
    covered: frozenset[str] = frozenset()  # the words of the names of what the article covers

    @classmethod
    def of(cls, phrases: Iterable[str], names: Iterable[str] = (), covered: Iterable[str] = ()) -> Speller:
        """A speller for the words of these phrases (labels, synonyms, cue phrases) and plain English; the
        words of `names` (the graph's labels) win a tie with the others ("masage" is "massage", not
        "manage"); a typo read as a word of `covered` (the names of what the article covers) stays so."""
        named = {t for name in names for t in normalize(name).split() if t.isalpha()}
        words: set[str] = set(named)
        compounds: dict[str, str] = {}
        pairs = {  # two words side by side in a name or a cue phrase, the words of grammar left out
            (lemma(a), lemma(b))
            for phrase in (*names, *phrases)
            for a, b in pairwise([t for t in normalize(phrase).split() if t not in STOPWORDS])
            if (a + b).isalpha()
        }
        for phrase in phrases:
            tokens = normalize(phrase).split()
            words.update(t for t in tokens if t.isalpha())
            if 2 <= len(tokens) <= 3 and all(t.isalpha() for t in tokens):
                compounds.setdefault("".join(tokens), " ".join(tokens))
        domain = SymSpell(max_dictionary_edit_distance=2, prefix_length=SYMSPELL_PREFIX)
        for word in sorted(words):  # in one order: a set's changes with the process's hash seed
            domain.create_dictionary_entry(word, 2 if word in named else 1)  # a name's word wins a tie
        for joined in sorted(compounds):  # "trigerpoint": a typo of two words typed as one
            domain.create_dictionary_entry(joined, 1)
        heard: dict[str, set[str]] = {}
        for word in named:
            if len(word) >= 5:
                heard.setdefault(sound(word), set()).add(word)
        sounds = {key: tuple(sorted(found)) for key, found in heard.items()}
        kept = {t for name in covered for t in normalize(name).split() if t.isalpha()}
        return cls(frozenset(words), compounds, sounds, domain, frozenset(pairs), frozenset(kept))

    def known(self, token: str) -> bool:
        """A word of the graph, of the commonest English, or a form of one ("relieves", "specialise")."""
        return (
            token in self.vocabulary
            or token in STOPWORDS
            or token in english().rank
            or not token.isalpha()
            or len(token) < 3
            or lemma(token) in english().rank
        )

    def correct(self, token: str) -> str | None:
        """The word meant, or None when the token is fine or nothing close enough is known.

        A graph word wins over an English one at the same distance; a graph word of six letters or more may
        be two edits off, other words one. A word that is neither known nor common but one edit from a
        common word is a typo of it, even when people type it often enough to be listed ("adress",
        "beleive"); a rarer word that is still English is left alone ("cupping"). A short rare word is
        corrected only towards a graph word ("bak" → "back").
        """
        if token in self.compounds and token not in self.vocabulary:  # the graph's own word stays whole
            return self.compounds[token]
        if self.known(token):
            rank = english().rank.get(token, TYPO_RANK)
            if rank < TYPO_RANK or token in self.vocabulary or lemma(token) in self.vocabulary:
                return None
            if not token.isalpha() or len(token) < 3 or token in STOPWORDS:
                return None
            if 3 <= len(token) <= 4:  # "bak" → "back"
                domain = self._closest(self._domain, token, 1)
                return domain[0] if domain else None
            # a rare listed form one edit from a very common word is a typo of it ("adress", "beleive")
            general = self._closest(english().speller, token, 1)
            common = general is not None and english().rank.get(general[0], TYPO_RANK) < COMMON_RANK
            return general[0] if general and common else None
        reach = 2 if len(token) >= 6 else 1
        domain = self._closest(self._domain, token, reach)
        general = None if len(token) < 4 else self._closest(english().speller, token, 1)
        if general is not None and english().rank.get(general[0], TYPO_RANK) >= TYPO_RANK:
            general = None  # only towards a common word
        if domain and (general is None or domain[1] <= general[1]):
            return self.compounds.get(domain[0], domain[0])
        if general is not None:
            return general[0]
        # spelt as it sounds ("infecshun", "nuroligy"): a graph word that sounds the same, if only one does
        heard = self.sounds.get(sound(token), ()) if len(token) >= 5 else ()
        return heard[0] if len(heard) == 1 else self._glued(token)

    def rejoin(self, first: str, second: str) -> str | None:
        """The graph's word meant by two typed apart, one of them no word at all: "super fishal" is
        "superficial", "whole istic" "holistic" (dictation splits a word it does not know)."""
        if (self.known(first) and self.known(second)) or not (first + second).isalpha():
            return None
        found = self._closest(self._domain, first + second, 2)
        if found is None or len(found[0]) < 7 or found[0] not in self.vocabulary or " " in found[0]:
            return None
        return found[0]

    def _glued(self, token: str) -> str | None:
        """ "acupuncturecost", "dryneedlingprice": a name of the graph's and a known word typed as one."""
        for cut in range(len(token) - 3, 3, -1):  # the longest name first
            head, tail = token[:cut], token[cut:]
            name = self.compounds.get(head) or (head if head in self.vocabulary and len(head) >= 5 else None)
            if name and (tail in self.vocabulary or is_common(tail)):
                return f"{name} {tail}"
        return None

    def in_phrase(self, token: str, read: str, before: str, after: str) -> str | None:
        """The word meant by a typo that, with the word beside it (words of grammar aside), makes one of the
        graph's names or cue phrases: "drie needling" is "dry needling" (not "drive"), "twich response" is
        "twitch response" (not "twice"). A typo already read as a word of a covered thing's name (`read`)
        gives way only to a word as near."""
        if self._domain is None or self.known(token) or len(token) < 4:
            return None
        found = self._domain.lookup(token, Verbosity.ALL, max_edit_distance=2)
        if read in self.covered:  # read as a word of a covered name ("infecton" is infection): only as near
            found = [s for s in found if s.distance <= next((f.distance for f in found if f.term == read), 0)]
        before, after = lemma(before), lemma(after)
        fits = [s for s in found if {(before, lemma(s.term)), (lemma(s.term), after)} & self.pairs]
        return (
            min(fits, key=lambda s: (s.distance, -s.count, *_likelier(token, s.term))).term if fits else None
        )

    @staticmethod
    def _closest(speller: SymSpell | None, token: str, reach: int) -> tuple[str, int] | None:
        if speller is None:
            return None
        found = speller.lookup(token, Verbosity.CLOSEST, max_edit_distance=reach)
        if not found:
            return None
        # among the closest, the commonest; on a tie the likelier (see _likelier), so that no order of the
        # speller's own decides
        best = min(found, key=lambda s: (-s.count, *_likelier(token, s.term)))
        return best.term, best.distance

    def is_common(self, token: str) -> bool:
        return is_common(token)

    def is_rare(self, token: str) -> bool:
        """An English word seldom used in general (or none at all): one that names a specific thing. A British
        spelling counts as common as its -ize twin ("memorised" as "memorized")."""
        rank = english().rank
        return min(rank.get(token, RARE_RANK), rank.get(american(token), RARE_RANK)) >= RARE_RANK


def _likelier(typed: str, word: str) -> tuple[bool, int, str]:
    """Between words equally near a typo, the one meant first: one the typo makes by a slip people make (a
    letter left out or doubled, two swapped, a key beside the right one: "mor" is "more", not "for"; "hiw"
    "how", not "hit"), then the commoner in English ("frm": "from", not "form"), then the first in the
    alphabet, so that no order of the speller's own decides."""
    return not _slip(typed, word), english().rank.get(word, RARE_RANK), word


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_BESIDE = {a + b for row in _ROWS for a, b in pairwise(row)}


def _slip(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with one letter left out or one added after the first (people seldom get the
    first letter wrong: "mor" is no "or"), two neighbours swapped, or one struck on a key beside it (a QWERTY
    row)."""
    if len(typed) + 1 == len(word):
        return any(word[:i] + word[i + 1 :] == typed for i in range(1, len(word)))
    if len(typed) == len(word) + 1:
        return any(typed[:i] + typed[i + 1 :] == word for i in range(1, len(typed)))
    if len(typed) != len(word):
        return False
    differ = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    if len(differ) == 2 and differ[1] == differ[0] + 1:
        i = differ[0]
        return typed[i] == word[i + 1] and typed[i + 1] == word[i]
    return (
        len(differ) == 1
        and {typed[differ[0]] + word[differ[0]], word[differ[0]] + typed[differ[0]]} & _BESIDE != set()
    )


# How English spells a sound several ways, folded to one, in this order: "infecshun" and "infection" sound
# alike, and so do "responce" and "response", "twich" and "twitch".
_SOUNDS = (
    (re.compile(r"(?:tion|sion|shun|shon|ssion|cion)"), "shn"),
    (re.compile(r"tch|t(?=ur)"), "ch"),
    (re.compile(r"sh|sc(?=[eiy])"), "s"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"z"), "s"),
    (re.compile(r"(?<=.)[aeiouy]+"), ""),  # vowels after the first letter
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters
)


def sound(word: str) -> str:
    """A rough key for how a word sounds: words spelt by ear share it with the word meant."""
    key = word.lower()
    for pattern, replacement in _SOUNDS:
        key = pattern.sub(replacement, key)
    return key
