"""GET /api/vocabulary: the prefixes the service knows and the classes and properties the graph uses, for the
SPARQL editor's completion (and any other client that wants them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.openapi_shapes import error_responses
from api.state import get_snapshot
from kg.terms import PREFIXES

router = APIRouter(tags=["SPARQL"])


class Term(BaseModel):
    iri: str
    uses: int = Field(description="How many statements use it (as a class: how many instances it has)")


class Vocabulary(BaseModel):
    """What a query over this graph can name."""

    prefixes: dict[str, str] = Field(description="Prefix to namespace, as the pages and the editor use them")
    classes: list[Term] = Field(description="Classes with at least one instance, most used first")
    properties: list[Term] = Field(description="Properties that some statement uses, most used first")


@router.get(
    "/api/vocabulary",
    summary="Prefixes, classes and properties",
    description="The prefixes the service knows and the classes and properties that occur in the graph "
    "(the named query `graph_vocabulary`).",
    responses=error_responses("timeout", "unavailable", "store_error"),
)
def vocabulary(request: Request) -> Vocabulary:
    # A plain def: the query blocks, so FastAPI runs it on a thread.
    rows = get_snapshot(request).graph.run("graph_vocabulary").rows
    found: dict[str, list[Term]] = {"class": [], "property": []}
    for row in rows:
        term, kind, uses = row.get("term"), row.get("kind"), row.get("uses")
        if term is not None and term.kind == "iri" and kind is not None and kind.value in found:
            found[kind.value].append(Term(iri=term.value, uses=int(uses.value) if uses else 0))
    return Vocabulary(prefixes=dict(PREFIXES), classes=found["class"], properties=found["property"])
