"""The answer contract of question answering, typed: what `/api/ask` returns, field by field.

Question answering composes its replies as plain JSON-ready dicts; these models say exactly which keys a
reply may hold, so the API publishes them as its response schema (with the OpenAPI example) and a test
checks every reply to the question sets against them, with no key left undeclared.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    title: str = Field(description="The article the statement comes from")
    section: str = Field(description="The part of the article, as it names it or as we describe it")


class Cost(_Strict):
    min: float
    max: float
    currency: str
    per: str = Field("session", description="What the price is for")
    hedge: str | None = Field(
        None, description="The article's own hedge on the price, e.g. “averages around”"
    )
    currency_note: str | None = Field(
        None, description="Our note on the currency, which the article does not name"
    )


class StatementHedge(_Strict):
    for_: str = Field(alias="for", description="What this statement of the answer is about")
    hedge: str | None = Field(None, description="The article's hedge on that statement; absent when plain")


class Fact(_Strict):
    aspect: str = Field(description="What the fact is (origin, target, risk, may suit, ...)")
    label: str
    iri: str | None = None
    hedge: str | None = None
    sources: list[Source] = []


class Named(_Strict):
    iri: str | None = None
    label: str


class Statement(_Strict):
    subject: Named
    predicate: Named
    object: Named


class Item(_Strict):
    """One answer: a graph resource (a claim node, for a retrieved claim) with what the question asked."""

    iri: str
    label: str
    hedge: str | None = Field(None, description="The article's hedge on the statement this answer is")
    hedges: list[StatementHedge] | None = Field(None, description="One per statement, when they differ")
    cost: Cost | None = None
    sources: list[Source] = []
    facts: list[Fact] | None = Field(None, description="Side by side and choices: each fact with its hedge")
    details: dict[str, list[Any]] | None = Field(None, description="Other values the query returned")
    our_explanation: str | None = Field(None, description="Ours, not from the article")
    statement: Statement | None = Field(None, description="A retrieved claim: its subject, predicate, object")
    fact: str | None = Field(None, description="A retrieved claim: the fact of the article it restates")
    score: float | None = Field(None, description="A retrieved claim: how well it fits the question")


class Entity(_Strict):
    text: str
    iri: str
    label: str
    score: float = Field(description="1 for an exact name; below 1 when read through a typo")


class ClassName(_Strict):
    text: str
    iri: str


class QueryInfo(_Strict):
    name: str
    params: dict[str, Any]
    sparql: str


class Also(_Strict):
    intent: str
    query: QueryInfo


class Interpretation(_Strict):
    intent: str | None = Field(
        description="The named query that answered, `retrieved_claims`, or null when nothing did"
    )
    entities: list[Entity] = []
    classes: list[ClassName] = []
    amounts: list[float] | None = None
    unknown: list[str] | None = Field(None, description="Words naming topics the graph does not know")
    ignored: list[str] | None = Field(None, description="Filler: words the reading left aside")
    corrections: dict[str, str] | None = Field(None, description="Spelling: as typed → as read")
    steps: list[str] | None = Field(None, description="Two steps: the queries in the order they ran")
    also: Also | None = Field(None, description="A second part of the question, answered after the first")


class Reply(_Strict):
    question: str
    answered: bool
    text: str = Field(description="The answer in words, each hedge beside its statement")
    not_in_source: list[str] | None = Field(
        None, description="Topics of the question the article does not cover; `text` says so first"
    )
    answers: list[Item]
    note: str | None = None
    suggestions: list[str] | None = Field(None, description="Questions the graph can answer, on a refusal")
    interpretation: Interpretation
    query: QueryInfo | None = Field(None, description="The named query that ran last, with its SPARQL")
