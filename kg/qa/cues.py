"""The words of a question sorted by what they do: the cue phrases of each named query found in it (from
the `.rq` headers), and the rest split into topics the graph does not know and filler. How the things it
names stand in it is `standing.py`'s."""

from __future__ import annotations

from kg.catalogue import NamedQuery
from kg.qa.lexicon import Mention
from kg.qa.plans import CueMatch
from kg.qa.spelling import Speller
from kg.qa.stopwords import STOPWORDS
from kg.qa.words import NUMERAL, lemmas

# Words after which a noun names the topic of the question; an unknown noun there is an unknown topic.
_SLOT_WORDS = frozenset(
    [
        "for",
        "with",
        "of",
        "about",
        "from",
        "against",
        "treat",
        "treats",
        "treating",
        "cure",
        "cures",
        "help",
        "helps",
        "relieve",
        "ease",
    ]
)


class Cues:
    """The cue phrases of the catalogue's queries, as lemmas, longest first."""

    def __init__(self, queries: list[NamedQuery], speller: Speller) -> None:
        self.phrases = {
            # longest first; phrases of one length in the order the query's header gives them (a set's
            # order would change with the process's hash seed, and so would which of two overlapping
            # phrases is taken)
            q.name: sorted(dict.fromkeys(lemmas(c) for c in q.cues if lemmas(c)), key=len, reverse=True)
            for q in queries
        }
        self.words = {word for phrases in self.phrases.values() for phrase in phrases for word in phrase}
        self.by_first: dict[str, dict[str, list[tuple[int, tuple[str, ...]]]]] = {}
        for name, phrases in self.phrases.items():
            for order, phrase in enumerate(phrases):
                self.by_first.setdefault(name, {}).setdefault(phrase[0], []).append((order, phrase))
        self.speller = speller
        self.source_words: set[str] = set()  # lemmas the source's statements use: never unknown topics

    def match(
        self, full: list[tuple[int, str]], view: list[tuple[int, str]], named: set[int], name: str
    ) -> CueMatch:
        """The query's cue phrases found in the question's lemmas, longest first, never overlapping: first
        phrases that run through a name but not only over names ("where do the needles go"), then any phrase
        with the names left out. The score counts content words (at least one a phrase), the strength only
        those."""
        taken: set[int] = set()
        score, first, strength = 0, len(full), 0
        for sequence, through_names in ((full, True), (view, False)):
            keyed = [word for _, word in sequence]
            starts: dict[str, list[int]] = {}  # where each word stands: only there may a phrase start
            for index, word in enumerate(keyed):
                starts.setdefault(word, []).append(index)
            firsts = self.by_first[name]  # only phrases whose first word the question has, in their order
            for _, phrase in sorted(
                entry for word in starts.keys() & firsts.keys() for entry in firsts[word]
            ):
                size = len(phrase)
                if through_names and size < 2:
                    continue
                for start in starts[phrase[0]]:
                    if start + size > len(keyed):
                        break
                    span = {sequence[i][0] for i in range(start, start + size)}
                    if through_names and (span <= named or not span & named):
                        continue
                    if _reads_as(tuple(keyed[start : start + size]), phrase) and not taken & span:
                        taken |= span
                        content = sum(1 for word in phrase if word not in STOPWORDS)
                        # a phrase of three words or more says more than any of its words alone
                        score += max(1, content) + (1 if size >= 3 else 0)
                        strength += content
                        first = min(first, sequence[start][0])
        return CueMatch(score, first, frozenset(taken), strength)

    def unknown_words(
        self, tokens: list[str], keyed: list[str], mentions: list[Mention], protected: set[int]
    ) -> tuple[list[str], list[str]]:
        """The words neither a name nor a cue: topics the graph does not know, and filler.

        A word names a topic when it is rare in English (or no English at all: "migraines", "zorbify") or
        when it stands where a topic goes ("good for runners"); other words ("afterwards", "honestly",
        "my friend said") are filler, ignored.
        """
        covered = set(protected)
        for mention in mentions:
            covered.update(range(mention.start, mention.end))
        topics: list[str] = []
        filler: list[str] = []
        for index, token in enumerate(tokens):
            if index in covered or token in STOPWORDS or NUMERAL.match(token):
                continue
            if (
                keyed[index] in self.words
                or keyed[index] in self.source_words
                or token in self.speller.vocabulary
            ):
                filler.append(token)  # a word the graph uses, but not here as a name or a cue
            elif _inflected(token, keyed[index]) and (
                not _in_slot(tokens, index) or self.speller.is_common(keyed[index])
            ):
                filler.append(token)  # "is she overselling it", "sore from lifting": a verb's form, no topic
            elif (self.speller.is_rare(token) and not self._common_form(token, keyed[index])) or (
                _in_slot(tokens, index) and not self.speller.is_common(token)
            ):
                topics.append(token)  # (a rare form of a common word, "tightens", is no topic of its own)
            else:
                filler.append(token)
        return topics, filler

    def _common_form(self, token: str, lemma: str) -> bool:
        return lemma != token and not self.speller.is_rare(lemma)


def _reads_as(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """The phrase, or a phrase of two words or more with one of its longer words typed as another real word
    one slip away ("come form" for "come from", "side affect" for "side effect")."""
    if words == phrase:
        return True
    if len(phrase) < 2:
        return False
    slip: tuple[str, str] | None = None
    for typed, meant in zip(words, phrase, strict=True):
        if typed != meant:
            if slip is not None:
                return False  # two words differ: another phrase
            slip = (typed, meant)
    return slip is not None and len(slip[1]) >= 4 and _one_slip(*slip)


def _one_slip(typed: str, meant: str) -> bool:
    """One letter changed, two neighbours swapped, or one letter more or less."""
    if len(typed) == len(meant):
        diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == meant[diff[1]]
        return len(diff) == 1 or (swapped and typed[diff[1]] == meant[diff[0]])
    short, long = sorted((typed, meant), key=len)
    return len(long) - len(short) == 1 and any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _inflected(token: str, lemma: str) -> bool:
    """A verb's -ing or -ed form ("overselling", "memorised"), read back to another word."""
    return token.endswith(("ing", "ed")) and lemma != token


def _in_slot(tokens: list[str], index: int) -> bool:
    before = index - 1
    while before >= 0 and tokens[before] in STOPWORDS - _SLOT_WORDS:
        before -= 1
    return before >= 0 and tokens[before] in _SLOT_WORDS
