"""GET /api/ask: a question in plain words, a sourced answer in JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.errors import ApiError
from api.state import get_runtime
from kg.qa import answer_question
from kg.qa.model import Reply

router = APIRouter(tags=["question answering"])

ASK_EXAMPLE = {
    "question": "what treats sciatica, and at what cost",
    "answered": True,
    "text": "For sciatica, the source names these possible treatments: dry needling (the source says “can be”; "
    "$50–150 per session) and acupuncture (the source says “can also offer”; “averages around” $70–150 per "
    "session).",
    "answers": [
        {
            "iri": "https://needling-kg.example.org/kg/dry-needling",
            "label": "Dry needling",
            "cost": {
                "min": 50,
                "max": 150,
                "currency": "USD",
                "per": "session",
                "currency_note": "The article gives prices in dollars without naming a currency; USD is our "
                "reading.",
            },
            "hedge": "can be",
            "sources": [{"title": "Dry Needling vs Acupuncture", "section": "the paragraphs on sciatica"}],
        }
    ],
    "note": "General information from one article, not medical advice.",
    "interpretation": {
        "intent": "treatments_for_condition",
        "entities": [{"text": "sciatica", "iri": "...", "score": 1.0}],
    },
    "query": {"name": "treatments_for_condition", "params": {"condition": "..."}, "sparql": "..."},
}


@router.get(
    "/api/ask",
    response_model=Reply,
    response_model_exclude_unset=True,
    summary="Answer a question",
    description="Reads a plain question, runs the named query (or two) that answers it and returns the answer "
    "with its sources. Each hedge of the article sits next to the statement it qualifies: `hedge` on an "
    "answer (or `hedges`, one per statement, when they differ), `cost.hedge` on a price, `hedge` on each of "
    "a comparison's `facts`. `our_explanation` is ours, not from the article. A question the graph cannot "
    "answer gets `answered: false` and no answers.",
    responses={
        200: {"content": {"application/json": {"example": ASK_EXAMPLE}}},
        422: {"description": "The question is empty or too long"},
    },
)
def ask(
    request: Request,
    q: Annotated[str, Query(description="The question", examples=["what treats sciatica"])] = "",
) -> Any:
    runtime = get_runtime(request)
    question = q.strip()
    if not question:
        raise ApiError("invalid_parameter", "parameter 'q': ask a question, e.g. ?q=what treats sciatica")
    limit = runtime.settings.max_question_chars
    if len(question) > limit:
        raise ApiError("invalid_parameter", f"parameter 'q': the question is longer than {limit} characters")
    return answer_question(runtime.snapshot.graph, question)
