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
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Protocol

import simplemma
import wordfreq
from symspellpy import SymSpell

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
SYMSPELL_PREFIX = 5  # symspellpy's prefix length: a smaller index, still well under a millisecond a lookup

# How people spell some words in a chat, and the word meant.
_ONES = frozenset(["one", "therapy", "treatment", "option", "modality"])
_BECAUSE = frozenset(["cause", "cos", "coz", "cuz", "bc"])
_SUBJECTS = frozenset(
    "i im ive id my it its we were you youre he hes she shes they theyre there theres".split()
)
_CHAT = {
    "wat": "what",
    "wats": "whats",
    "w": "with",  # "w/"
    "appt": "appointment",
    "appts": "appointments",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ur": "your",
    "approx": "about",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2moro": "tomorrow",
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
    return american(folded)


_BRITISH = re.compile(r"is(e|ed|es|ing|er|ers|ation|ations)$")


def american(word: str) -> str:
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
        speller = SymSpell(max_dictionary_edit_distance=1, prefix_length=SYMSPELL_PREFIX)
        for index, word in enumerate(words[:ENGLISH_WORDS]):
            speller.create_dictionary_entry(word, 10_000_000 // (index + 1))  # Zipf's law: use ~ 1 / rank
        return cls(rank, speller)


class Corrector(Protocol):
    """What reading a question needs of a speller (`kg.qa.spelling.Speller`)."""

    def correct(self, token: str) -> str | None: ...

    def in_phrase(self, token: str, read: str, before: str, after: str) -> str | None: ...

    def rejoin(self, first: str, second: str) -> str | None: ...


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
    def read(cls, question: str, speller: Corrector) -> Words:
        typed: list[str] = []
        asked = 0  # in `typed`
        for sentence in _SENTENCE_END.split(question):
            words = _rejoined(normalize(sentence).split(), speller)
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
            if typed[index - 1 : index] == ["whichever"] and token in _ONES:
                token = f"{token} that"  # "whichever one is evidence-based": the one that is
            elif token == "whichever":
                token = (
                    "the that" if typed[index + 1 : index + 2] and typed[index + 1] not in _ONES else "the"
                )
            if token in _BECAUSE and typed[index + 1 : index + 2] and typed[index + 1] in _SUBJECTS:
                token = "because"  # "cause im trying to squat deeper": no cause asked about
            if " " in token:  # "wats": "what is"
                tokens.extend(token.split())
                origin.extend([typed[index]] * len(token.split()))
                continue
            fixed = speller.correct(token)
            parts = fixed.split() if fixed and fixed != token else [token]
            if len(parts) > 1 or parts[0] != token:
                corrections[token] = fixed or token
            tokens.extend(parts)
            origin.extend([token] * len(parts))
        for index, token in [
            *enumerate(tokens)
        ] * 2:  # a typo read with its (read) neighbours: "drie needling"
            if origin.count(origin[index]) > 1:
                continue  # "trigerpoint" read as two words
            before = next((t for t in reversed(tokens[:index]) if t not in STOPWORDS), "")
            after = next((t for t in tokens[index + 1 :] if t not in STOPWORDS), "")
            if (meant := speller.in_phrase(origin[index], token, before, after)) and meant != token:
                tokens[index] = corrections[origin[index]] = meant
        return cls(typed, tokens, [lemma(t) for t in tokens], corrections, origin, asking_from)


def _rejoined(words: list[str], speller: Corrector) -> list[str]:
    """Two words typed apart that make one of the graph's ("super fishal" for "superficial")."""
    joined: list[str] = []
    for word in words:
        meant = speller.rejoin(joined[-1], word) if joined else None
        if meant:
            joined[-1] = meant
        else:
            joined.append(word)
    return joined
