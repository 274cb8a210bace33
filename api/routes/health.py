"""GET /healthz: ready, how many triples, which graph version, and the last failed reload if any."""

from __future__ import annotations

from fastapi import APIRouter

from api.state import RuntimeDep

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="Service health", description="200 once the graph is loaded and serving.")
def healthz(runtime: RuntimeDep) -> dict[str, object]:
    graph = runtime.snapshot.graph
    body: dict[str, object] = {"status": "ok", "triples": graph.store.triples, "version": graph.version}
    body["store"] = graph.store.description
    if runtime.last_reload_error:
        body["last_reload_error"] = runtime.last_reload_error
    return body
