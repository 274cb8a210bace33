"""Link the words of a question to resources of the graph, by their own labels and synonyms."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from kg.catalogue.params import KNOWN_PREFIXES
from kg.qa.stopwords import STOPWORDS
from kg.qa.words import is_common, lemma, lemmas, stem, stems
from kg.terms import Row

OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
NOT_IN_SOURCE = KNOWN_PREFIXES["nkg"] + "NotInSource"
MAX_SPAN = 6
_JOINS = frozenset(["vs", "versus", "or", "and"])
_CONTRASTS = _JOINS | frozenset(["instead", "of", "rather", "than", "not", "over", "compared", "to", "with"])
FUZZY_CUTOFF = 86
FUZZY_MIN_CHARS = 5


@dataclass(frozen=True)
class Mention:
    """A span of the question that names one or more resources (several when a label is shared)."""

    text: str
    start: int
    end: int
    iris: tuple[str, ...]
    score: float

    @classmethod
    def at(cls, tokens: list[str], start: int, size: int, iris: Iterable[str], score: float) -> Mention:
        return cls(" ".join(tokens[start : start + size]), start, start + size, tuple(sorted(iris)), score)

    def overlaps(self, other: Mention) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class Lexicon:
    """Labels and synonyms of the graph, keyed by their stemmed words, with each resource's types."""

    keys: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    lemma_keys: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # "riskier" → "risky"
    types: dict[str, frozenset[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    silences: dict[str, str] = field(default_factory=dict)  # our note on each topic the article skips
    narrower: dict[tuple[str, ...], str] = field(default_factory=dict)  # key -> a narrower topic's name
    proper_words: set[str] = field(default_factory=set)
    phrases: set[str] = field(default_factory=set)  # every label and synonym as written, for spelling
    _fuzzy: dict[int, list[str]] = field(default_factory=dict)
    _by_end: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> Lexicon:
        """From the rows of the lexicon query. A graph of a million triples has about 35,000 of them, so
        what repeats is shared: words are interned, and entities with the same types share one set."""
        lexicon = cls()
        keys: dict[tuple[str, ...], set[str]] = {}
        lemma_keys: dict[tuple[str, ...], set[str]] = {}
        types: dict[str, set[str]] = {}
        for row in rows:
            iri, label = row["entity"].value, row["label"].value
            types.setdefault(iri, set()).add(row["type"].value)
            if row.get("preferred") and row["preferred"].to_python() is True and "narrower" not in row:
                lexicon.labels.setdefault(iri, label)
            if "silence" in row:
                lexicon.silences.setdefault(iri, row["silence"].value)
            lexicon.phrases.add(label)
            lexicon.proper_words.update(w for w in label.split()[1:] if w[:1].isupper())
            key = tuple(sys.intern(token) for token in stems(label))
            if key and not all(token in STOPWORDS for token in key):
                keys.setdefault(key, set()).add(iri)
                lemma_keys.setdefault(tuple(sys.intern(t) for t in lemmas(label)), set()).add(iri)
                if row.get("narrower") and row["narrower"].to_python() is True:
                    lexicon.narrower[key] = row["topicName"].value if "topicName" in row else label
        shared: dict[frozenset[str], frozenset[str]] = {}
        for iri, kinds in types.items():
            frozen = frozenset(kinds)
            lexicon.types[iri] = shared.setdefault(frozen, frozen)
        lexicon.lemma_keys = {key: tuple(sorted(iris)) for key, iris in lemma_keys.items()}
        for key, iris in keys.items():
            lexicon.keys[key] = tuple(sorted(iris))
            if len(" ".join(key)) >= FUZZY_MIN_CHARS:
                lexicon._fuzzy.setdefault(len(key), []).append(" ".join(key))
        return lexicon

    def is_class(self, iri: str) -> bool:
        return OWL_CLASS in self.types.get(iri, ())

    def has_type(self, iri: str, rdf_class: str) -> bool:
        return rdf_class in self.types.get(iri, ())

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or iri.rsplit("/", 1)[-1].replace("-", " ")

    def named_after(self, broad: str, narrow: str) -> dict[str, frozenset[str]]:
        """Each resource of class `broad` with the resources of class `narrow` whose names hold its name:
        a broad complaint and the benefits named after it ("stress": "stress reduction")."""
        keyed = {
            i: f" {' '.join(lemma(w) for w in name.lower().split())} " for i, name in self.labels.items()
        }
        narrows = [i for i in keyed if self.has_type(i, narrow)]
        return {
            iri: frozenset(n for n in narrows if key in keyed[n])
            for iri, key in keyed.items()
            if self.has_type(iri, broad)
        }

    def link_exact(self, tokens: list[str]) -> list[Mention]:
        """Longest exact matches of labels and synonyms, left to right, never overlapping."""
        keyed = [stem(token) for token in tokens]
        folded = [lemma(token) for token in tokens]
        mentions: list[Mention] = []
        used: set[int] = set()
        for size in range(min(MAX_SPAN, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                span = range(start, start + size)
                if used.intersection(span):
                    continue
                iris = self.keys.get(tuple(keyed[start : start + size])) or self.lemma_keys.get(
                    tuple(folded[start : start + size])
                )
                if iris and size == 1 and self._verb_for_topic(tokens[start], iris):
                    continue
                if iris:
                    mentions.append(Mention.at(tokens, start, size, iris, 1.0))
                    used.update(span)
        mentions += self._shared_heads(tokens, keyed, mentions, used)
        return sorted(mentions, key=lambda m: m.start)

    def _verb_for_topic(self, token: str, iris: tuple[str, ...]) -> bool:
        """ "My son is studying physio": a verb's -ing form is not the uncovered topic whose one-word name
        shares its stem ("studies")."""
        written = token in self.phrases or token.capitalize() in self.phrases  # "smoking" is a name itself
        return token.endswith("ing") and not written and all(self.has_type(i, NOT_IN_SOURCE) for i in iris)

    def _shared_heads(
        self, tokens: list[str], keyed: list[str], mentions: list[Mention], used: set[int]
    ) -> list[Mention]:
        """ "Superficial vs deep dry needling": a word before "vs", "or" or "and" that, with the words after
        the first of the next name, is a name too ("superficial dry needling")."""
        found = []
        for mention in mentions:
            start = mention.start - 2
            if (
                start < 0
                or start in used
                or tokens[start + 1] not in _JOINS
                or mention.end - mention.start < 2
            ):
                continue
            key = (keyed[start], *keyed[mention.start + 1 : mention.end])
            if iris := self.keys.get(key):
                found.append(Mention(tokens[start], start, start + 1, tuple(sorted(iris)), 1.0))
                used.add(start)
        # after it: "deep dry needling instead of superficial", "deep dry needling rather than superficial"
        for mention in mentions:
            between = 0
            for index in range(mention.end, min(len(tokens), mention.end + 4)):
                if tokens[index] in _CONTRASTS:
                    between += 1
                    continue
                key = (keyed[index], *keyed[mention.start + 1 : mention.end])
                iris = self.keys.get(key)
                if between and index not in used and mention.end - mention.start >= 2 and iris:
                    found.append(Mention(tokens[index], index, index + 1, tuple(sorted(iris)), 1.0))
                    used.add(index)
                break
        found += self._short_names(tokens, keyed, mentions, used)
        found += self._kinds_named(tokens, keyed, mentions, used)
        return found

    def _kinds_named(
        self, tokens: list[str], keyed: list[str], mentions: list[Mention], used: set[int]
    ) -> list[Mention]:
        """ "The superficial and deep techniques", "the techniques: superficial vs deep": words before or
        after a class name, joined by "and", "or" or "vs", that each begin the name of exactly one member of
        the class ("superficial dry needling")."""
        found: list[Mention] = []
        for mention in mentions:
            if not all(map(self.is_class, mention.iris)):
                continue
            # before it ("the superficial and deep techniques"), then after it, two or more joined ("the
            # techniques: superficial vs deep")
            found += self._members_walk(tokens, keyed, mention, used, mention.start - 1, -2, ("and", "or"))
            if mention.end + 1 < len(tokens) and tokens[mention.end + 1] in _JOINS:
                found += self._members_walk(tokens, keyed, mention, used, mention.end, 2, _JOINS)
        return found

    def _members_walk(
        self,
        tokens: list[str],
        keyed: list[str],
        mention: Mention,
        used: set[int],
        index: int,
        step: int,
        joins: Iterable[str],
    ) -> list[Mention]:
        """Words from `index`, one every `step`, each beginning the name of exactly one member of the class
        named, as long as a join word stands between them."""
        found = []
        while 0 <= index < len(tokens) and index not in used and tokens[index] not in STOPWORDS:
            members = {
                i
                for i in self._ends("first").get(keyed[index], ())
                if any(self.has_type(i, c) for c in mention.iris)
            }
            if len(members) != 1:
                break
            found.append(Mention(tokens[index], index, index + 1, tuple(members), 1.0))
            used.add(index)
            between = index + step // 2
            if not 0 <= index + step < len(tokens) or tokens[between] not in joins:
                break
            index += step
        return found

    def _short_names(
        self, tokens: list[str], keyed: list[str], mentions: list[Mention], used: set[int]
    ) -> list[Mention]:
        """ "Needling vs acupuncture": a word joined to a name that is the last word of the name of exactly
        one other thing of the same kinds ("dry needling") names that thing."""
        found = []
        for mention in mentions:
            for index in (mention.start - 2, mention.end + 1):
                between = index + 1 if index < mention.start else index - 1
                if not 0 <= index < len(tokens) or tokens[between] not in _JOINS:
                    continue
                # a word taken only as a class name ("needling" for any needling modality) may be the name
                classed = [
                    m for m in mentions if m.start == index == m.end - 1 and all(map(self.is_class, m.iris))
                ]
                if index in used and not classed:
                    continue
                kinds = frozenset().union(*(self.types.get(i, ()) for i in mention.iris))
                whole = {
                    i
                    for i in self._ends("last").get(keyed[index], ())
                    if i not in mention.iris and self.types.get(i) == kinds
                }
                if len(whole) == 1:
                    for taken in classed:
                        mentions.remove(taken)
                    found.append(Mention(tokens[index], index, index + 1, tuple(whole), 1.0))
                    used.add(index)
        return found

    def _ends(self, which: str) -> dict[str, set[str]]:
        """The resources of every name of two words or more, by its first or its last word (built once)."""
        if which not in self._by_end:
            index = 0 if which == "first" else -1
            found: dict[str, set[str]] = {}
            for key, iris in self.keys.items():
                if len(key) > 1:
                    found.setdefault(key[index], set()).update(iris)
            self._by_end[which] = found
        return self._by_end[which]

    def link_fuzzy(self, tokens: list[str], taken: set[int]) -> list[Mention]:
        """Close matches for typos ("siatica") among the words no exact match or intent cue has taken."""
        return self._fuzzy_mentions(tokens, [stem(token) for token in tokens], set(taken))

    def name(self, iri: str) -> str:
        """A resource's label as it reads inside a sentence."""
        return self.sentence_case(self.label(iri))

    def sentence_case(self, label: str) -> str:
        """A label as it reads inside a sentence: "dry needling", but "Western conventional medicine", "Qi".

        A word is a name when some label writes it capitalized after its first word ("imbalance of Qi").
        """
        words = label.split()
        if not words or words[0] in self.proper_words or not words[0][1:].islower():
            return label
        if len(words) > 1 and all(w[:1].isupper() for w in words if len(w) > 3):
            return label
        return label[:1].lower() + label[1:]

    def _fuzzy_mentions(self, tokens: list[str], keyed: list[str], used: set[int]) -> list[Mention]:
        found: list[Mention] = []
        for size in range(min(3, len(tokens)), 0, -1):
            choices = self._fuzzy.get(size, [])
            for start in range(len(tokens) - size + 1):
                span = range(start, start + size)
                words = keyed[start : start + size]
                if used.intersection(span) or any(w in STOPWORDS or w.isdigit() for w in words):
                    continue
                if size == 1 and is_common(tokens[start]):
                    continue  # a common word is no typo of a name: "related" is not "regulated"
                text = " ".join(words)
                if len(text) < FUZZY_MIN_CHARS:
                    continue
                best = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if best is None:
                    continue
                iris = self.keys[tuple(best[0].split())]
                found.append(Mention.at(tokens, start, size, iris, round(best[1] / 100, 3)))
                used.update(span)
        return found
