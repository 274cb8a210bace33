"""Evidence retrieval: the graph's sourced claims ranked against a question, for when no named query fits.

Each claim is a small document: the names of its subject and object (labels and synonyms), its predicate's
label, a literal object's text. A question is scored against them with BM25 over lemmas, plus a weight for
each thing the question names that the claim is about (a claim on "dry needling for back pain" is about dry
needling and about back pain). A claim must be about everything the question names, and the best must clear
a threshold, else nothing is retrieved: a refusal is better than a confident wrong answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from kg.qa.stopwords import STOPWORDS
from kg.qa.words import lemmas
from kg.terms import Row

# BM25's usual constants; the documents are short and alike in length, so they matter little.
_K1 = 1.2
_B = 0.75
# What one named thing the claim is about adds to its score, next to BM25's few points for a shared word.
ENTITY_WEIGHT = 3.0
# The least score worth answering with, and how close to the best another claim must come to be shown too.
# Set by measurement on tests/qa/dev.json (see bench/README.md): below it, retrieved answers were more
# often wrong than right.
THRESHOLD = 4.0
NEAR_BEST = 0.75
MAX_CLAIMS = 6
DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


@dataclass(frozen=True)
class Claim:
    """One sourced statement, in the graph's words."""

    iri: str
    fact: str
    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str
    hedge: str | None
    section: str
    title: str
    about: frozenset[str]  # the resources the statement is about: its sides and what they apply
    terms: tuple[str, ...]

    @property
    def statement(self) -> str:
        return f"{self.subject_label} {self.predicate_label} {self.object_label}"


@dataclass(frozen=True)
class Scored:
    score: float
    claim: Claim


class ClaimIndex:
    """The claims of one graph version, indexed by lemma for BM25."""

    def __init__(self, claims: list[Claim]) -> None:
        self.claims = claims
        self.frequencies = [Counter(c.terms) for c in claims]
        self.average = sum(len(c.terms) for c in claims) / max(1, len(claims))
        documents = Counter(term for c in claims for term in set(c.terms))
        total = len(claims)
        self.idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in documents.items()}
        self.by_resource: dict[str, list[int]] = {}
        for index, claim in enumerate(claims):
            for iri in claim.about:
                self.by_resource.setdefault(iri, []).append(index)

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> ClaimIndex:
        parts: dict[str, dict[str, object]] = {}
        for row in rows:
            iri = row["claim"].value
            entry = parts.setdefault(iri, {"row": row, "names": [], "about": set()})
            names: list[str] = entry["names"]  # type: ignore[assignment]
            about: set[str] = entry["about"]  # type: ignore[assignment]
            for column in ("subjectName", "objectName"):
                if column in row:
                    names.append(row[column].value)
            if "anchor" in row:
                about.add(row["anchor"].value)
        claims = [_claim(iri, e["row"], e["names"], e["about"]) for iri, e in parts.items()]  # type: ignore[arg-type]
        return cls(claims)

    def naming(self, link: Callable[[str], set[str]]) -> ClaimIndex:
        """The same claims, each definition also about the things its words name ("a response that needles
        put into trigger points ... which releases muscle tension" is about trigger points too)."""
        return ClaimIndex(
            [
                replace(c, about=c.about | link(c.object_label)) if c.predicate == DEFINITION else c
                for c in self.claims
            ]
        )

    def neighbours(self) -> dict[str, set[str]]:
        """For each resource, the resources some claim links it to."""
        linked: dict[str, set[str]] = {}
        for claim in self.claims:
            for iri in claim.about:
                linked.setdefault(iri, set()).update(claim.about - {iri})
        return linked

    def count(self, iri: str) -> int:
        """How many claims are about the resource: how much the source says of it."""
        return len(self.by_resource.get(iri, ()))

    def about(self, iri: str) -> list[Claim]:
        """Every claim about the resource, first said first."""
        return [self.claims[i] for i in self.by_resource.get(iri, ())]

    def linking(self, iri: str, limit: int = 4) -> list[Claim]:
        """What the source says links the resource to others (not what it is), first said first."""
        found = [self.claims[i] for i in self.by_resource.get(iri, ())]
        return [c for c in found if c.predicate != DEFINITION][:limit]

    def rank(self, words: list[str], named: list[frozenset[str]]) -> list[Scored]:
        """The claims about anything the question names (each name a set of resources, any of which will
        do), best first: a weight for each name the claim is about, and BM25 for the question's other words.
        With nothing named, every claim is a candidate and the words alone decide."""
        if named:
            candidates = sorted(
                {i for options in named for iri in options for i in self.by_resource.get(iri, ())}
            )
        else:
            candidates = list(range(len(self.claims)))
        query = [w for w in dict.fromkeys(words) if w not in STOPWORDS and w in self.idf]
        scored = []
        for i in candidates:
            about = self.claims[i].about
            hits = sum(1 for options in named if options & about)
            linking = len(named) > 1 and hits == len(named)  # a statement that links all the names asked
            weight = ENTITY_WEIGHT * (hits + linking)
            scored.append(Scored(self._bm25(query, i) + weight, self.claims[i]))
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def on_words(self, words: list[str], about: set[str]) -> list[Scored]:
        """The claims about any of `about` (any claim when empty), scored by BM25 on the words alone, best
        first: how much a claim says of what the question's words ask, whatever it names."""
        query = [w for w in dict.fromkeys(words) if w not in STOPWORDS and w in self.idf]
        if not query:
            return []
        candidates = (
            sorted({i for iri in about for i in self.by_resource.get(iri, ())})
            if about
            else range(len(self.claims))
        )
        scored = [Scored(score, self.claims[i]) for i in candidates if (score := self._bm25(query, i))]
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def best(
        self, words: list[str], named: list[frozenset[str]], specific: Iterable[str] = ()
    ) -> list[Scored]:
        """The claims worth answering with: over the threshold and near the best, with the rest of each
        one's statement in the article and what the article says the things in them are. With nothing
        named, only the question's `specific` words (the graph's own, and rare in English: "endorphins")
        may find claims."""
        if not named and not specific:
            return []  # with nothing named, ordinary shared words are too weak a link to answer with
        ranked = self.rank(words if named else list(specific), named)
        if not ranked or ranked[0].score < THRESHOLD:
            return []
        floor = max(THRESHOLD, NEAR_BEST * ranked[0].score)
        chosen = [s for s in ranked if s.score >= floor][:MAX_CLAIMS]
        taken = {s.claim.iri for s in chosen}
        # the rest of the same statement: "can modulate the nervous system, reducing pain signals and
        # releasing endorphins" is one sentence of the article, and one part of it is not the whole answer
        keys = {(s.claim.fact, s.claim.subject) for s in chosen}
        objects = {s.claim.object for s in chosen} | {s.claim.subject for s in chosen}
        extra = []
        for claim in self.claims:
            if claim.iri in taken:
                continue
            same = (claim.fact, claim.subject) in keys
            defines = claim.predicate == DEFINITION and claim.subject in objects
            if same or defines:
                extra.append(Scored(0.0, claim))
                taken.add(claim.iri)
        # the same kind of statement first ("works by": the nervous system beside the pain signals)
        predicates = {s.claim.predicate for s in chosen}
        extra.sort(key=lambda s: s.claim.predicate not in predicates)
        return chosen + extra[: MAX_CLAIMS + 4]

    def _bm25(self, query: list[str], index: int) -> float:
        frequency = self.frequencies[index]
        length = len(self.claims[index].terms)
        score = 0.0
        for term in query:
            count = frequency.get(term, 0)
            if count:
                norm = count * (_K1 + 1) / (count + _K1 * (1 - _B + _B * length / self.average))
                score += self.idf[term] * norm
        return score


def _claim(iri: str, row: Row, names: list[str], about: set[str]) -> Claim:
    subject, obj = row["subject"].value, row["object"].value
    object_label = _value(row, "objectLabel") or _value(row, "objectText") or obj.rsplit("/", 1)[-1]
    predicate_label = _value(row, "predicateLabel") or row["predicate"].value.rsplit("#", 1)[-1]
    # the hedge is the source's word too: "believed" meets "are believed to"; a yes/no value ("true") is no
    # word of the claim ("too good to be true" asks nothing about licensing)
    boolean = row["object"].kind != "iri" and row["object"].datatype == _BOOLEAN
    texts = [
        *names,
        predicate_label,
        "" if boolean else object_label,
        _value(row, "subjectLabel") or "",
        _value(row, "hedge") or "",
    ]
    terms = tuple(t for text in texts for t in lemmas(text) if t not in STOPWORDS)
    sides = {subject} | ({obj} if row["object"].kind == "iri" else set())
    return Claim(
        iri=iri,
        fact=row["fact"].value,
        subject=subject,
        subject_label=_value(row, "subjectLabel") or subject.rsplit("/", 1)[-1],
        predicate=row["predicate"].value,
        predicate_label=predicate_label,
        object=obj,
        object_label=object_label,
        hedge=_value(row, "hedge"),
        section=row["sectionLabel"].value,
        title=_value(row, "articleTitle") or "",
        about=frozenset(sides | about),
        terms=terms,
    )


def _value(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None and term.value else None
