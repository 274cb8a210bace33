"""GET /api/ask: a question in plain words, a sourced answer in JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.errors import ApiError
from api.openapi_shapes import error_responses
from api.state import Runtime, get_runtime
from kg.qa import answer_question
from kg.qa.model import Reply

router = APIRouter(tags=["question answering"])

ASK_EXAMPLE = {
    "question": "is acupuncture safe while pregnant",
    "answered": True,
    "text": "The article does not discuss pregnancy. In general: The source lists these potential risks of "
    "acupuncture: bruising (the source says “potential”), infection (the source says “in rare instances”) and "
    "soreness (the source says “potential”).",
    "not_in_source": ["pregnancy"],
    "answers": [
        {
            "iri": "https://needling-kg.example.org/kg/infection",
            "label": "Infection",
            "hedge": "in rare instances",
            "sources": [{"title": "Dry Needling vs Acupuncture", "section": "the paragraph on acupuncture"}],
            "details": {"modality": ["Acupuncture"], "frequency": ["rare"]},
        }
    ],
    "note": "General information from one article, not medical advice: ask a licensed professional about your "
    "own case.",
    "interpretation": {
        "intent": "risks_of_modality",
        "entities": [
            {
                "text": "acupuncture",
                "iri": "https://needling-kg.example.org/kg/acupuncture",
                "label": "Acupuncture",
                "score": 1.0,
            },
            {
                "text": "while pregnant",
                "iri": "https://needling-kg.example.org/kg/pregnancy",
                "label": "Pregnancy",
                "score": 1.0,
            },
        ],
        "classes": [],
    },
    "query": {"name": "risks_of_modality", "params": {"modality": "..."}, "sparql": "..."},
}


@router.get(
    "/api/ask",
    response_model=Reply,
    response_model_exclude_unset=True,
    summary="Answer a question",
    description="Reads a plain question (spelling corrected, filler left aside), answers it from the graph (the "
    "two modalities side by side or a choice between them, the named query the question asks for, or the "
    "article's claims nearest it, `intent: retrieved_claims`) and returns the answer with its sources. Each "
    "hedge of the article sits next to the statement it qualifies: `hedge` on an answer (or `hedges`, one "
    "per statement, when they differ), `cost.hedge` on a price, `hedge` on each of a comparison's or a "
    "choice's `facts`. `our_explanation` is ours, not from the article. `not_in_source` names the topics "
    "of the question the article does not cover, and `text` says so first. A question the graph cannot "
    "answer gets `answered: false` and no answers.",
    responses={
        200: {"content": {"application/json": {"example": ASK_EXAMPLE}}},
        **error_responses("invalid_parameter", "store_error"),
    },
)
def ask(
    request: Request,
    q: Annotated[str, Query(description="The question", examples=["what treats sciatica"])] = "",
) -> Any:
    return answer(get_runtime(request), q)


def answer(runtime: Runtime, q: str) -> Any:
    """Check the question's length, then answer it on the current graph: `/api/ask` and the MCP `ask` tool."""
    question = q.strip()
    if not question:
        raise ApiError("invalid_parameter", "parameter 'q': ask a question, e.g. ?q=what treats sciatica")
    limit = runtime.settings.max_question_chars
    if len(question) > limit:
        raise ApiError("invalid_parameter", f"parameter 'q': the question is longer than {limit} characters")
    return answer_question(runtime.snapshot.graph, question)
