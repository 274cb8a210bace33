"""An answer made of retrieved claims: each claim is an answer of its own (the claim's resource), worded as
its statement, with its hedge and the part of the article it comes from."""

from __future__ import annotations

from kg.qa.answers import Answer
from kg.qa.lexicon import Lexicon
from kg.qa.retrieval import DEFINITION, Claim, Scored
from kg.qa.sides import Composed
from kg.qa.wording import join

RETRIEVED = "retrieved_claims"


def retrieved(claims: list[Scored], lexicon: Lexicon) -> Composed:
    answers = [_answer(s.claim, s.score, lexicon) for s in claims]
    said = [f"{_statement(s.claim, lexicon)} ({_where(s.claim)})" for s in claims]
    text = "No named query fits this question; the article's claims closest to it: " + "; ".join(said) + "."
    return Composed(RETRIEVED, text, answers)


def linked(claims: list[Claim], lexicon: Lexicon) -> str:
    """The statements that tie a thing to the rest, in words with their hedges and sections."""
    said = [f"{_statement(c, lexicon)} ({_where(c)})" for c in claims]
    return "In the article: " + "; ".join(said) + "." if said else ""


def _answer(claim: Claim, score: float, lexicon: Lexicon) -> Answer:
    answer: Answer = {
        "iri": claim.iri,
        "label": _capital(_plain(claim, lexicon)),
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
    }
    if claim.hedge:
        answer["hedge"] = claim.hedge
    return answer


def _plain(claim: Claim, lexicon: Lexicon) -> str:
    subject = lexicon.sentence_case(claim.subject_label)
    obj = claim.object_label if not _is_iri(claim.object) else lexicon.sentence_case(claim.object_label)
    if claim.predicate == DEFINITION:  # what the article says a thing is reads as a gloss, not a relation
        return f"{subject}: {obj[:1].lower()}{obj[1:].rstrip('.')}"
    return f"{subject} {claim.predicate_label} {obj}"


def _statement(claim: Claim, lexicon: Lexicon) -> str:
    """The claim in words, its hedge beside it: “can” acupuncture for back pain works by endorphin release."""
    text = _plain(claim, lexicon)
    return f"{text} (the source says “{claim.hedge}”)" if claim.hedge else text


def _where(claim: Claim) -> str:
    return join([claim.section])


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
