"""What a reading of a question is: the cue matches, the plans it allows (a query with values for its
parameters, in one step or two) and what was recognized of the question."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.catalogue import NamedQuery
from kg.catalogue.params import KNOWN_PREFIXES
from kg.qa.lexicon import Mention


def expand(curie: str | None) -> str | None:
    if curie is None:
        return None
    prefix, _, local = curie.partition(":")
    return KNOWN_PREFIXES.get(prefix, prefix + ":") + local


@dataclass(frozen=True)
class CueMatch:
    score: int
    first: int
    positions: frozenset[int]
    strength: int = 0
    """How many content words (not function words such as "who", "which", "for") the cues matched."""


NO_CUE = CueMatch(0, 0, frozenset())
"""The cue match of a plan the answerer makes itself, no words of the question asking for it."""


@dataclass
class Plan:
    """One way to answer: a query, values for its parameters, and what of the question it accounts for."""

    query: NamedQuery
    values: dict[str, list[str]]
    consumed: frozenset[Mention]
    cue: CueMatch
    bonus: int = 0
    feeds: Plan | None = None  # two steps: this plan's `feed_param` takes the answers of `feeds`
    feed_param: str | None = None
    context: tuple[Mention, ...] = ()  # named things it leaves aside as context ("my PT mentioned ...")
    every: bool = False  # the answers hold for every value given ("one therapy for both")

    @property
    def score(self) -> int:
        """Cues weigh most, content words among them more: the words that ask for this kind of answer."""
        inner = self.feeds.score if self.feeds else 0
        return 3 * self.cue.score + 2 * self.cue.strength + 2 * len(self.consumed) + self.bonus + inner


@dataclass
class Reading:
    """What was understood of a question, before anything runs."""

    tokens: list[str]
    mentions: list[Mention]
    lemmas: list[str] = field(default_factory=list)
    classes: list[Mention] = field(default_factory=list)
    entities: list[Mention] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # words that name a topic the graph does not know
    ignored: list[str] = field(default_factory=list)  # filler: words the reading leaves aside
    corrections: dict[str, str] = field(default_factory=dict)  # spelling: as typed → as read
    silent: list[Mention] = field(default_factory=list)
    excluded: list[Mention] = field(default_factory=list)  # named only to be set aside ("besides X")
    premised: list[Mention] = field(default_factory=list)  # taken for granted ("since it comes from X")
    negated: list[Mention] = field(default_factory=list)  # denied: "which one is not holistic"
    asking_from: int = 0  # the first token of the sentence that asks (a story may come before it)
    plans: list[Plan] = field(default_factory=list)
    cue_scores: dict[str, int] = field(default_factory=dict)
    cue_strengths: dict[str, int] = field(default_factory=dict)  # content words of each query's cues
    cue_positions: dict[str, frozenset[int]] = field(default_factory=dict)  # where each query's cues are

    def asks_if_it_works(self, name: str) -> bool:
        """Whether the query's only cue here is "work" with no "how" or "why": "does it work for sciatica"
        asks whether it treats it, not how it works."""
        cued = self.cue_positions.get(name, ())
        return (
            bool(cued)
            and not {"how", "why"} & set(self.tokens)
            and all(self.lemmas[i] == "work" for i in cued)
        )
