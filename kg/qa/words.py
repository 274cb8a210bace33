"""The words of a question: normalized, spelt right, and folded to a lemma so "benifits" meets "benefit".

Ordinary English is checked against wordfreq's English word list (ranked by how often words are used in
web text, subtitles, books and social media; the list ships inside the package), corrected with symspellpy's
algorithm; the graph's own words (labels, synonyms, the catalogue's cue phrases) are a second,
preferred vocabulary, so "siatica" becomes "sciatica" and "twich" becomes "twitch", not "twice". Nothing
here is read from the network: both word lists are files on disk.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import simplemma
import wordfreq
from symspellpy import SymSpell, Verbosity

from kg.qa.stopwords import STOPWORDS

# How many of the commonest English words count as correctly spelt, and how many of them the speller
# corrects towards: the tail is mostly names and rare forms that would pull a typo of a common word away.
KNOWN_WORDS = 80_000
ENGLISH_WORDS = 40_000
# The rank from which an English word is rare enough to name a specific topic ("moxibustion") rather than be
# filler ("afterwards", "reckons", "hiya"); set by measurement on the dev questions (a rank of 20,000 took
# too many chatty words for topics). The topics people ask about that the article does not cover
# ("pregnant", "insurance", "migraines") are in the graph.
RARE_RANK = 40_000
# The commonest words ("super", "kinda") name no topic even where a topic goes ("runner with super tight").
COMMON_RANK = 5_000
# A word rarer than this that is one edit from one of the graph's is taken for a typo of it ("bak").
TYPO_RANK = 20_000
_PREFIX = 5  # symspellpy's prefix length: a smaller index, still well under a millisecond a lookup

# How people spell some words in a chat, and the word meant.
_CHAT = {
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "waht": "what",
    "hw": "how",
    "diff": "difference",
    "dif": "difference",
    "b4": "before",
    "thru": "through",
    "whch": "which",
    "wich": "which",
    "sesh": "session",
    "tx": "treatment",
    "seshes": "sessions",
}
_APOSTROPHE_S = re.compile(r"['’]s\b")
_IS_CONTRACTION = re.compile(r"\b(what|who|where|how|that|it|there|which)['’]s\b")
_STRIP = re.compile(r"[^a-z0-9$.\s]")
_SPACES = re.compile(r"[-/_,;:!?()\[\]{}\"“”]+")
# The forms of "do", "be" and "have" a cue phrase may meet in a question ("who does it" is "who do it").
_AUXILIARIES = {
    "does": "do",
    "did": "do",
    "done": "do",
    "is": "be",
    "are": "be",
    "was": "be",
    "were": "be",
    "am": "be",
    "has": "have",
    "had": "have",
}
_DOLLARS = re.compile(r"\${2,}")
NUMBER = re.compile(r"^\$?\d+(?:\.\d+)?$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# "2nd", "30s", "35yo", "3am", "2x", "10k": no topic
NUMERAL = re.compile(r"^\$?\d+(?:\.\d+)?(?:st|nd|rd|th|s|yo|am|pm|x|k)?$")


def normalize(text: str) -> str:
    """Lower case, no possessive 's, no punctuation but $ and decimal points, single spaces."""
    text = _DOLLARS.sub("$", _APOSTROPHE_S.sub("", _IS_CONTRACTION.sub(r"\1 is", text.lower())))
    text = _SPACES.sub(" ", text.replace("’", "'"))
    text = _STRIP.sub("", text.replace("'", ""))
    text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", text)
    return " ".join(text.split())


def stem(token: str) -> str:
    """A crude plural folding, applied alike to labels and questions so they meet in the middle."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


@lru_cache(maxsize=65_536)
def lemma(token: str) -> str:
    """The dictionary form of a word ("riskier" → "risky", "treating" → "treat"), by simplemma's English
    tables; numbers and unknown forms fold their plural only."""
    if not token.isalpha():
        return stem(token)
    if token in STOPWORDS:
        return _AUXILIARIES.get(token, token)  # function words stay as they are ("does" is no doe)
    folded = simplemma.lemmatize(token, lang="en").lower()
    # an irregular form keeps its own word: "better" is not "good", "is" not "be"
    folded = folded if folded[:3] == token[:3] or len(token) < 4 else stem(token)
    return _american(folded)


_BRITISH = re.compile(r"is(e|ed|es|ing|er|ers|ation|ations)$")


def _american(word: str) -> str:
    """The -ize spelling of a British -ise word when that is the commoner one ("specialisation" meets
    "specialization"); other words ending in -ise ("advise", "exercise") have no such twin."""
    match = _BRITISH.search(word)
    if match is None:
        return word
    twin = word[: match.start()] + "iz" + match.group(1)
    rank = english().rank
    return twin if rank.get(twin, RARE_RANK * 2) < rank.get(word, RARE_RANK * 2) else word


def stems(text: str) -> tuple[str, ...]:
    return tuple(stem(token) for token in normalize(text).split())


def lemmas(text: str) -> tuple[str, ...]:
    return tuple(lemma(token) for token in normalize(text).split())


_ENGLISH_LOCK = threading.Lock()


@cache
def english() -> EnglishWords:
    """The English word list, read once per process (it never changes with the graph). Under a lock: the
    first questions of a busy server arrive together, and each thread loading its own copy took seconds."""
    with _ENGLISH_LOCK:
        return _english()


@cache
def _english() -> EnglishWords:
    return EnglishWords.load()


def warm() -> None:
    """Load the word lists and the lemma tables now, so no question pays for them (about 0.4 s)."""
    english()
    lemma("treating")


def is_common(token: str) -> bool:
    """One of the few thousand commonest English words ("super", "really"): never a topic by its place."""
    return english().rank.get(token, COMMON_RANK) < COMMON_RANK


@dataclass
class EnglishWords:
    """wordfreq's English list: every common word's rank, and a speller over the commonest."""

    rank: dict[str, int]
    speller: SymSpell

    @classmethod
    def load(cls) -> EnglishWords:
        words = [w for w in wordfreq.top_n_list("en", KNOWN_WORDS) if w.isalpha()]
        rank = {word: index for index, word in enumerate(words)}
        # one edit for ordinary English: every typo of ordinary words in the dev questions is one edit
        # away, and a second costs 4x the load time and 2x the memory (bench.qa_libraries)
        speller = SymSpell(max_dictionary_edit_distance=1, prefix_length=_PREFIX)
        for index, word in enumerate(words[:ENGLISH_WORDS]):
            speller.create_dictionary_entry(word, 10_000_000 // (index + 1))  # Zipf's law: use ~ 1 / rank
        return cls(rank, speller)


@dataclass
class Speller:
    """Corrects a word that is neither English nor the graph's, preferring the graph's words on a tie."""

    vocabulary: frozenset[str]
    compounds: dict[str, str] = field(default_factory=dict)  # "wellbeing" → "well being"
    sounds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sound(word) → the graph's words
    _domain: SymSpell | None = None

    @classmethod
    def of(cls, phrases: Iterable[str], names: Iterable[str] = ()) -> Speller:
        """A speller for the words of these phrases (labels, synonyms, cue phrases) and plain English; the
        words of `names` (the graph's labels) win a tie with the others ("masage" is "massage", not
        "manage")."""
        named = {t for name in names for t in normalize(name).split() if t.isalpha()}
        words: set[str] = set(named)
        compounds: dict[str, str] = {}
        for phrase in phrases:
            tokens = normalize(phrase).split()
            words.update(t for t in tokens if t.isalpha())
            if 2 <= len(tokens) <= 3 and all(t.isalpha() for t in tokens):
                compounds.setdefault("".join(tokens), " ".join(tokens))
        domain = SymSpell(max_dictionary_edit_distance=2, prefix_length=_PREFIX)
        for word in words:
            domain.create_dictionary_entry(word, 2 if word in named else 1)  # a name's word wins a tie
        for joined in compounds:  # "trigerpoint": a typo of two words typed as one
            domain.create_dictionary_entry(joined, 1)
        heard: dict[str, set[str]] = {}
        for word in named:
            if len(word) >= 5:
                heard.setdefault(sound(word), set()).add(word)
        sounds = {key: tuple(sorted(found)) for key, found in heard.items()}
        return cls(frozenset(words), compounds, sounds, domain)

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
        return heard[0] if len(heard) == 1 else None

    @staticmethod
    def _closest(speller: SymSpell | None, token: str, reach: int) -> tuple[str, int] | None:
        if speller is None:
            return None
        found = speller.lookup(token, Verbosity.CLOSEST, max_edit_distance=reach)
        if not found:
            return None
        best = max(found, key=lambda s: s.count)  # among the closest, the commonest
        return best.term, best.distance

    def is_common(self, token: str) -> bool:
        return is_common(token)

    def is_rare(self, token: str) -> bool:
        """An English word seldom used in general (or none at all): one that names a specific thing. A British
        spelling counts as common as its -ize twin ("memorised" as "memorized")."""
        rank = english().rank
        return min(rank.get(token, RARE_RANK), rank.get(_american(token), RARE_RANK)) >= RARE_RANK


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


@dataclass(frozen=True)
class Words:
    """A question's tokens as typed (normalized), as corrected, and their lemmas."""

    typed: list[str]
    tokens: list[str]
    lemmas: list[str]
    corrections: dict[str, str]
    origin: list[str]  # for each token, the word as typed it comes from
    asking_from: int = 0  # where the sentence that asks begins: the last with a question mark, else the last

    @classmethod
    def read(cls, question: str, speller: Speller) -> Words:
        typed: list[str] = []
        asked = 0  # in `typed`
        for sentence in _SENTENCE_END.split(question):
            words = normalize(sentence).split()
            if words and ("?" in sentence or "?" not in question):
                asked = len(typed)
            typed.extend(words)
        tokens: list[str] = []
        origin: list[str] = []
        corrections: dict[str, str] = {}
        asking_from = 0
        for index, token in enumerate(typed):
            if index == asked:
                asking_from = len(tokens)
            token = _CHAT.get(token, token)
            fixed = speller.correct(token)
            parts = fixed.split() if fixed and fixed != token else [token]
            if len(parts) > 1 or parts[0] != token:
                corrections[token] = fixed or token
            tokens.extend(parts)
            origin.extend([token] * len(parts))
        return cls(typed, tokens, [lemma(t) for t in tokens], corrections, origin, asking_from)
