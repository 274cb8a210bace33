"""The app factory: load the graph, start the sandbox, wire routers, limits and error handling."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import heap
from api.editor_assets import editor_script
from api.errors import install_error_handlers
from api.hot_paths import HotPath, HotPaths, direct
from api.mcp.http import McpEndpoint
from api.observability import AccessLog
from api.openapi_shapes import operation_id
from api.reload import Reloader, StatusFollower
from api.request_head import HeadAsGet, JoinedHeaders
from api.response_cache import ResponseCache
from api.routes import ask, docs, health, metrics, pages, queries, query_pages, resource, sparql, vocabulary
from api.security_headers import SecurityHeaders
from api.state import Runtime, Snapshot
from kg.adhoc import open_runner
from kg.engine import KnowledgeGraph, open_graph
from kg.qa import answerer_for
from kg.settings import Settings

log = logging.getLogger("needling.api")
STATIC = Path(__file__).resolve().parent / "static"
DESCRIPTION = (
    "A knowledge graph about dry needling and acupuncture, every fact traced to its source. "
    "Named queries, a SPARQL 1.1 endpoint, linked-data resources and plain-language questions."
)


def load_snapshot(settings: Settings) -> Snapshot:
    """Load graph and catalogue; the ad-hoc runner is started separately, once the process is serving."""
    graph = open_graph(settings, progress=_log_progress)
    answerer_for(graph)  # built now, so neither the first question nor a reload's pays for it
    if graph.store.static:  # likewise the label index behind text searches, and the fixed answers
        started = time.perf_counter()
        labels = graph.labels()
        log.info("indexed %d labels for text search in %.1f s", len(labels), time.perf_counter() - started)
        started = time.perf_counter()
        warmed = graph.warm()
        log.info(
            "computed %d fixed answers (%s) in %.2f s",
            len(warmed),
            ", ".join(warmed),
            time.perf_counter() - started,
        )
    return Snapshot(graph=graph, adhoc=None)


def refresh_remote(snapshot: Snapshot, settings: Settings) -> Snapshot:
    """A store others write to, as it is now: what is derived from the whole graph read again (its size,
    its version) and a fresh question answerer (its vocabulary read again), on the same connection and with
    the same runner. Answers themselves are never kept for such a store."""
    store = snapshot.graph.store
    store.refresh()
    graph = KnowledgeGraph(store, snapshot.graph.catalogue, settings.row_cap, settings.result_cache_rows)
    answerer_for(graph)
    return Snapshot(graph=graph, adhoc=snapshot.adhoc)


def _log_progress(triples: int, done: int, total: int) -> None:
    """Large graphs take seconds to load: say how far along it is (called every few megabytes)."""
    if triples < 0:
        log.info(
            "loading the graph: %d%% (%.0f of %.0f MB)", 100 * done // max(total, 1), done / 1e6, total / 1e6
        )
    else:
        log.info("loaded %d triples (%.0f MB)", triples, total / 1e6)


def _log_serving(settings: Settings, snapshot: Snapshot) -> None:
    store = snapshot.graph.store
    log.info(
        "needling-kg serving http://%s:%d with %d triples from the %s",
        settings.host,
        settings.port,
        store.triples,
        store.description,
    )


def with_runner(snapshot: Snapshot, settings: Settings) -> Snapshot:
    """The snapshot with its ad-hoc runner started (forking workers blocks: call it from a thread)."""
    return Snapshot(snapshot.graph, open_runner(snapshot.graph.store, settings))


def start_watching(runtime: Runtime, status_file: Path | None = None) -> Reloader | StatusFollower:
    """The reloader, started as the settings ask: watching the files of an embedded store, or reading a
    remote store's whole-graph facts again every few seconds. In a serving process of `--workers N` whose
    parent loads the edits, only the parent's status file (what /healthz says of a failed reload)."""
    if status_file is not None:
        follower = StatusFollower(runtime, status_file)
        follower.start()
        return follower
    settings = runtime.settings
    reloader = Reloader(runtime, load_snapshot, with_runner)
    static = runtime.snapshot.graph.store.static
    if static and settings.watch:
        reloader.start()
    elif not static and settings.store_refresh_s > 0:
        reloader.start_refresh(refresh_remote, settings.store_refresh_s)
    return reloader


def shut_down(runtime: Runtime, reloader: Reloader | StatusFollower) -> None:
    reloader.stop()
    final = runtime.snapshot
    if final.adhoc:
        final.adhoc.close()
    final.graph.store.close()


def create_app(
    settings: Settings | None = None, *, snapshot: Snapshot | None = None, status_file: Path | None = None
) -> FastAPI:
    """The app on the graph of the settings; or, in a serving process of `--workers N`, on the snapshot its
    parent loaded (`snapshot`), following the parent's reloads through `status_file`."""
    settings = settings or Settings()
    snapshot = snapshot or load_snapshot(settings)
    runtime = Runtime(settings, snapshot)
    mcp = McpEndpoint(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Forking the workers and stopping them block; they run in a thread, not on the event loop. No local
        # name keeps the first snapshot: after a reload, nothing but in-flight requests may hold it.
        runtime.swap(await run_in_threadpool(with_runner, runtime.snapshot, settings))
        reloader = app.state.reloader = start_watching(runtime, status_file)
        # The snapshot and its runner are built: what lives as long as they do leaves the collector's sight
        # (not a remote store's, which is read again every few seconds, and would leave frozen garbage).
        if runtime.snapshot.graph.store.static:
            await run_in_threadpool(heap.settle)
        _log_serving(settings, runtime.snapshot)
        try:
            async with mcp.running():  # the MCP sessions end before the graph and the workers they use
                yield
        finally:
            runtime.named_threads.close()
            await run_in_threadpool(shut_down, runtime, reloader)

    app = FastAPI(
        title="needling-kg",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        generate_unique_id_function=operation_id,  # Starlette's redirects name the Host header; api/errors.py redirects relatively
    )
    app.state.runtime = runtime
    app.state.editor_script = editor_script(STATIC)
    install_error_handlers(app)
    # Order matters (the last added runs first): repeated headers are joined before anything reads them;
    # the access log sees every request as sent (HEAD too); HEAD is answered as GET by the routes and the
    # cache; the cache sits inside CORS, so answers from the cache get CORS headers too.
    app.add_middleware(
        ResponseCache,
        version=lambda: runtime.snapshot.graph.version,
        stats=runtime.cache_stats,
        keep=lambda: runtime.snapshot.graph.store.static,  # others may write to a remote store: keep nothing
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.add_middleware(AccessLog, metrics=runtime.metrics, enabled=settings.access_log)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "X-Request-ID"],
        expose_headers=["ETag", "Link", "Retry-After", "X-Row-Cap-Truncated", "X-Request-ID"],
    )
    app.add_middleware(JoinedHeaders)
    # Static files are compressed on the way out: the editor's bundle is ~4 times smaller gzipped.
    app.mount("/static", GZipMiddleware(StaticFiles(directory=STATIC), minimum_size=1024), name="static")
    app.mount("/docs-assets", docs.assets, name="docs-assets")
    app.include_router(health.router)
    app.include_router(metrics.router)
    # FastAPI 0.165 tries each route in turn at 3-7 us each, twice for the router it picks: /sparql after
    # the ~45 routes before it spent 230 us a request finding its route; first, 8 us. No paths overlap.
    app.include_router(sparql.router)
    app.include_router(ask.router)
    app.include_router(vocabulary.router)
    app.include_router(pages.router)
    app.include_router(query_pages.router)
    app.include_router(docs.router)
    named = queries.build_router(snapshot.graph.catalogue)
    app.include_router(named)
    app.include_router(resource.router)
    app.router.routes.append(mcp.route)
    # First of all: the named queries and GET /sparql by one lookup (see api/hot_paths.py).
    hot = {
        **queries.hot_paths(snapshot.graph.catalogue, named, runtime.named_threads),
        "/sparql": HotPath(sparql.sparql_get, direct(sparql.sparql_get)),
    }
    app.router.routes.insert(0, HotPaths(hot))
    return app
