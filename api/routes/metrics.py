"""GET /metrics: requests, latencies, timeouts, cache hits, reloads and graph size for Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from api.openapi_shapes import error_responses
from api.state import get_runtime

router = APIRouter(tags=["service"])


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="Prometheus metrics",
    responses=error_responses(plain=True),
)
async def metrics(request: Request) -> PlainTextResponse:
    # async: it only reads counters in memory, and must answer while every thread is busy with queries
    runtime = get_runtime(request)
    reloader = getattr(request.app.state, "reloader", None)
    cache = runtime.cache_stats
    results = runtime.snapshot.graph.results
    gauges = {
        "needling_query_timeouts_total": (
            "Ad-hoc SPARQL queries stopped at the deadline.",
            runtime.lane.timeouts,
        ),
        "needling_query_overloaded_total": (
            "Ad-hoc SPARQL queries refused at once (503 overloaded): too many were running or waiting.",
            runtime.lane.refused,
        ),
        "needling_cache_hits_total": ("Responses served from the response cache.", cache.hits),
        "needling_cache_misses_total": ("Cacheable requests the cache could not answer.", cache.misses),
        "needling_cache_passed_total": (
            "Responses not kept: the cache keeps one the second time it is asked for.",
            cache.passed,
        ),
        "needling_result_cache_hits_total": (
            "Named-query answers read from memory since the graph was loaded.",
            results.hits,
        ),
        "needling_result_cache_misses_total": (
            "Named-query answers the store had to compute since the graph was loaded.",
            results.misses,
        ),
        "needling_result_cache_passed_total": (
            "Named-query answers not kept: the cache keeps one the second time it is run.",
            results.passed,
        ),
        "needling_reloads_total": (
            "Graph reloads that were swapped in.",
            reloader.reloads if reloader else 0,
        ),
        "needling_reload_failures_total": (
            "Edits that failed to load and were kept out.",
            reloader.failures if reloader else 0,
        ),
        "needling_graph_triples": (
            "Triples in the graph being served.",
            runtime.snapshot.graph.store.triples,
        ),
    }
    body = runtime.metrics.render(gauges)
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4; charset=utf-8")
