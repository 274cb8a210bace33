"""What the app holds while it runs: the current graph and the sandbox pool, swapped together, never half."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.drain import Drain, default_threads
from api.observability import Metrics
from api.query_lane import QueryLane
from api.response_cache import CacheStats
from kg.adhoc import AdhocRunner, PoolClosed
from kg.engine import KnowledgeGraph
from kg.settings import Settings


@dataclass(frozen=True)
class Snapshot:
    """One consistent view: a request takes a snapshot once and uses only it."""

    graph: KnowledgeGraph
    adhoc: AdhocRunner | None
    """Who runs ad-hoc queries on this graph; None until the service has started it."""

    def runner(self) -> AdhocRunner:
        if self.adhoc is None:
            raise PoolClosed("the query workers are not running yet; try again shortly")
        return self.adhoc


class Runtime:
    def __init__(self, settings: Settings, snapshot: Snapshot) -> None:
        self.settings = settings
        self._snapshot = snapshot
        self._lock = threading.Lock()
        self.last_reload_error: str | None = None
        self.cache_stats = CacheStats()
        self.metrics = Metrics()
        self.named_threads = Drain(default_threads(), "needling-named")
        """Where a named query no cache answers runs (api/drain.py); its threads start with the first."""
        self.lane = QueryLane(settings.workers + settings.max_waiting_queries, settings.deadline_s)

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def swap(self, snapshot: Snapshot) -> Snapshot:
        """Put a new snapshot in place in one assignment; return the old one for the caller to close."""
        with self._lock:
            old, self._snapshot = self._snapshot, snapshot
        return old


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_snapshot(request: Request) -> Snapshot:
    return get_runtime(request).snapshot


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
