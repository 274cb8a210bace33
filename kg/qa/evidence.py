"""An answer made of retrieved claims: each claim is an answer of its own (the claim's resource), worded as
its statement, with its hedge and the part of the article it comes from."""

from __future__ import annotations

from kg.qa.answers import Answer
from kg.qa.composed import Composed
from kg.qa.lexicon import Lexicon
from kg.qa.plans import Reading
from kg.qa.reading import Interpreter
from kg.qa.retrieval import DEFINITION, NEAR_BEST, THRESHOLD, Claim, ClaimIndex, Scored
from kg.qa.stopwords import STOPWORDS
from kg.qa.vocab import BENEFIT, CATEGORY, CLAIMS, MODALITY, PERFORMER
from kg.qa.wording import capital, join
from kg.qa.words import is_common, lemma

RETRIEVED = "retrieved_claims"
# The least BM25 score, on the words an answer leaves out, of a claim worth adding to it: one word the
# claims rarely use ("tailor": about 5), not one they often do ("work", "help": 1 to 2).
LEFT_OVER = 3.5
RARE_IN_CLAIMS = 4.0  # the IDF of a word two claims use is 4.3, of one six use 3.3


class Evidence:
    """The claims a question's own words point at, past what the named queries answer."""

    def __init__(self, claims: ClaimIndex, lexicon: Lexicon, interpreter: Interpreter) -> None:
        self.claims = claims
        self.lexicon = lexicon
        self.interpreter = interpreter
        self.name_lemmas = {lemma(w) for w in interpreter.name_words}
        # a broad complaint ("stress", "pain") stands for the benefits whose names hold its name ("stress
        # reduction", "pain relief"): a question about stress meets what the source says reduces it
        self.within = dict(lexicon.named_after(CATEGORY, BENEFIT))

        # a practitioner stands for what the source says they practise ("my acupuncturist ... qi")
        neighbours = interpreter.neighbours  # what the source links each resource to, read once
        for iri in lexicon.labels:
            if lexicon.has_type(iri, PERFORMER):
                practised = {m for m in neighbours.get(iri, ()) if lexicon.has_type(m, MODALITY)}
                self.within[iri] = self.within.get(iri, frozenset()) | practised

    def terms(self, reading: Reading) -> tuple[list[str], list[frozenset[str]]]:
        """The question's words outside its names, as lemmas, and each name's resources. A class's word
        stays a word ("what does superficial dry needling target" meets the claim that it targets the skin)."""
        named = {i for m in reading.entities for i in range(m.start, m.end)}
        named |= reading.cue_positions.get(CLAIMS, frozenset())  # "does the article back that up": no topic
        words = [w for i, w in enumerate(reading.lemmas) if i not in named]
        return words, [frozenset(m.iris) for m in reading.entities]

    def nearest(self, reading: Reading) -> list[Scored]:
        """The claims nearest the question, when they are of the kind it asks for by name. A name stands
        for the benefits whose names hold it too ("stress": "stress reduction")."""
        words, named = self.terms(reading)
        named = [options | {o for iri in options for o in self.within.get(iri, ())} for options in named]
        claims = self.claims.best(words, named, self._specific(words))
        return claims if claims and self._of_kind_asked(claims, reading) else []

    def ties(self, iri: str) -> str:
        """What the article ties a thing to, in words: its own statements, then those of the benefits named
        after it (for "stress", that acupuncture brings stress reduction)."""
        claims = self.claims.linking(iri) + [
            c for b in sorted(self.within.get(iri, ())) for c in self.claims.linking(b, 2)
        ]
        return linked(claims[:5], self.lexicon)

    def on_the_point(self, reading: Reading, modalities: list[str]) -> tuple[str, list[Answer]]:
        """ "Which is more widely accepted, acupuncture or dry needling": what the source says of either
        modality on the question's own words, when no named query has that aspect; and which one it says
        nothing of the kind about. Empty when the words point at nothing in particular."""
        # the words on the point: those no name and no query's cue accounts for ("widely accepted"), not
        # the words of comparing ("difference between")
        named = {i for m in reading.mentions for i in range(m.start, m.end)}
        cues = self.interpreter.cues.words
        words = [w for i, w in enumerate(reading.lemmas) if i not in named and w not in cues]
        ranked = [
            s for s in self.claims.rank(words, []) if s.score >= THRESHOLD and s.claim.about & set(modalities)
        ]
        if not ranked:
            return "", []
        chosen = [s for s in ranked if s.score >= NEAR_BEST * ranked[0].score][:3]
        said = [f"{statement(s.claim, self.lexicon)} ({where(s.claim)})" for s in chosen]
        silent = [m for m in modalities if not any(m in s.claim.about for s in chosen)]
        text = "On this point the source says: " + "; ".join(said) + "."
        if silent:
            names = join([self.lexicon.name(m) for m in silent])
            text += f" It says nothing of the kind about {names}."
        return text, [_answer(s.claim, s.score, self.lexicon) for s in chosen]

    def left_over(self, reading: Reading, composed: Composed) -> None:
        """A point of the question the answer leaves out ("do people respond differently", "she'd tailor
        it"): words no name and no cue accounts for, which a claim about the things named (or the answers)
        holds. The best such claim, when it clears LEFT_OVER and the answer does not already say it, is
        said after the answer."""
        named = {i for m in reading.mentions for i in range(m.start, m.end)}
        cues = self.interpreter.cues.words
        words = [
            w for i, w in enumerate(reading.lemmas) if i not in named and w not in cues and w not in STOPWORDS
        ]
        if not words:
            return
        about = {i for m in reading.entities for i in m.iris} | {a["iri"] for a in composed.answers}
        about |= {o for iri in list(about) for o in self.within.get(iri, ())}  # a physio: dry needling
        ranked = self.claims.on_words(words, about)
        if not ranked or ranked[0].score < LEFT_OVER:
            return
        best = ranked[0].claim
        # one common word that many claims use is too weak a tie ("the range it gives")
        shared = set(best.terms) & set(words)
        if len(shared) < 2 and all(is_common(w) and self.claims.idf[w] < RARE_IN_CLAIMS for w in shared):
            return
        said = composed.text.lower()
        if best.object_label.lower().rstrip(".") in said:
            return
        composed.text += f" The source also says: {statement(best, self.lexicon)} ({where(best)})."

    def _specific(self, words: list[str]) -> list[str]:
        """The words that name something of the graph's on their own: its words, and not common English."""
        return [w for w in words if w in self.name_lemmas and not is_common(w)]

    def _of_kind_asked(self, claims: list[Scored], reading: Reading) -> bool:
        """Whether the claims name a thing of the kind the question asks for by name ("which technique"):
        claims about other kinds of thing are no answer to it."""
        asked = {iri for m in self.interpreter.asked_classes(reading) for iri in m.iris}
        sides = {iri for s in claims for iri in (s.claim.subject, s.claim.object)}
        return not asked or any(self.lexicon.has_type(i, kind) for i in sides for kind in asked)


def retrieved(claims: list[Scored], lexicon: Lexicon) -> Composed:
    answers = [_answer(s.claim, s.score, lexicon) for s in claims]
    said = [f"{statement(s.claim, lexicon)} ({where(s.claim)})" for s in claims]
    text = "No named query fits this question; the article's claims closest to it: " + "; ".join(said) + "."
    return Composed(RETRIEVED, text, answers)


def linked(claims: list[Claim], lexicon: Lexicon) -> str:
    """The statements that tie a thing to the rest, in words with their hedges and sections."""
    places: dict[str, list[str]] = {}  # one statement made in two parts of the article is said once
    for c in claims:
        sections = places.setdefault(statement(c, lexicon), [])
        sections += [c.section] if c.section not in sections else []
    said = [f"{text} ({join(sections)})" for text, sections in places.items()]
    return "In the article: " + "; ".join(said) + "." if said else ""


def _answer(claim: Claim, score: float, lexicon: Lexicon) -> Answer:
    answer: Answer = {
        "iri": claim.iri,
        "label": capital(_plain(claim, lexicon)),
        "statement": {
            "subject": {"iri": claim.subject, "label": claim.subject_label},
            "predicate": {"iri": claim.predicate, "label": claim.predicate_label},
            "object": {
                "label": claim.object_label,
                **({"iri": claim.object} if _is_iri(claim.object) else {}),
            },
        },
        "fact": claim.fact,
        "score": round(score, 2),
        "sources": [{"title": claim.title, "section": claim.section}],
        "_about": sorted(claim.about),  # what the statement is about, its gloss's names too; never shown
    }
    if claim.hedge:
        answer["hedge"] = claim.hedge
    return answer


def _plain(claim: Claim, lexicon: Lexicon) -> str:
    subject = lexicon.sentence_case(claim.subject_label)
    obj = claim.object_label if not _is_iri(claim.object) else lexicon.sentence_case(claim.object_label)
    if claim.predicate == DEFINITION:  # what the article says a thing is reads as a gloss, not a relation
        return f"{subject}: {obj[:1].lower()}{obj[1:].rstrip('.')}"
    if not _is_iri(claim.object):  # a value in words: "acupuncture, acceptance: widely accepted"
        return f"{subject}, {claim.predicate_label}: {obj[:1].lower()}{obj[1:].rstrip('.')}"
    return f"{subject} {claim.predicate_label} {obj}"


def statement(claim: Claim, lexicon: Lexicon) -> str:
    """The claim in words, its hedge beside it: “can” acupuncture for back pain works by endorphin release."""
    text = _plain(claim, lexicon)
    return f"{text} (the source says “{claim.hedge}”)" if claim.hedge else text


def where(claim: Claim) -> str:
    return join([claim.section])


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://"))
