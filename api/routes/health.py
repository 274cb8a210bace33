"""GET /healthz: ready, how many triples, which graph version, and the last failed reload if any."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.openapi_shapes import error_responses
from api.state import get_runtime

router = APIRouter(tags=["service"])


@router.get(
    "/healthz",
    summary="Service health",
    description="200 once the graph is loaded and serving.",
    responses=error_responses(),
)
async def healthz(request: Request) -> dict[str, object]:
    # async, with no dependency that FastAPI would run in a thread: it only reads the snapshot in memory,
    # and must answer while every thread is busy with queries.
    runtime = get_runtime(request)
    graph = runtime.snapshot.graph
    body: dict[str, object] = {"status": "ok", "triples": graph.store.triples, "version": graph.version}
    body["store"] = graph.store.description
    if runtime.last_reload_error:
        body["last_reload_error"] = runtime.last_reload_error
    return body
