"""Who runs an ad-hoc query for the service: warm sandboxed workers where the data lives in this process,
the endpoint itself where it lives in another. Callers hold an `AdhocRunner` and never ask which."""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Protocol

from kg.adhoc.formats import GRAPH_FORMATS, SOLUTION_FORMATS
from kg.adhoc.guard import GuardedQuery
from kg.adhoc.pool import SandboxPool, SandboxResult
from kg.settings import Settings
from kg.store import GraphStore


class AdhocRunner(Protocol):
    def run(self, query: GuardedQuery, result_format: str, *, started: float | None = None) -> SandboxResult:
        """Run a guarded query within the deadline, counted from `started`; raises QueryTimeout,
        QueryFailed, PoolClosed or StoreError."""
        ...

    async def run_async(
        self, query: GuardedQuery, result_format: str, *, started: float | None = None
    ) -> SandboxResult:
        """`run` awaited on an event loop, without blocking it."""
        ...

    def close(self) -> None: ...


class EndpointRunner:
    """A remote endpoint runs the query itself, within its own limits and our HTTP timeout; its answer is
    passed on as it came (no row cap of ours: the endpoint's own applies)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def run(self, query: GuardedQuery, result_format: str, *, started: float | None = None) -> SandboxResult:
        clock = time.perf_counter()
        media_type = {**SOLUTION_FORMATS, **GRAPH_FORMATS}[result_format]
        body, answered_as = self.store.raw(query.text, media_type)
        return SandboxResult(body, answered_as, False, -1, (time.perf_counter() - clock) * 1000.0)

    async def run_async(
        self, query: GuardedQuery, result_format: str, *, started: float | None = None
    ) -> SandboxResult:
        """The endpoint's client blocks: it waits on the loop's executor."""
        work = functools.partial(self.run, query, result_format, started=started)
        return await asyncio.get_running_loop().run_in_executor(None, work)

    def close(self) -> None:
        """Nothing to stop: the store's connection is closed with the store."""


def open_runner(store: GraphStore, settings: Settings) -> AdhocRunner:
    """The runner for this store, started: forked workers (which block while forking) or the endpoint."""
    if store.engine is None:
        return EndpointRunner(store)
    pool = SandboxPool(
        store.engine,
        size=settings.workers,
        deadline_s=settings.deadline_s,
        row_cap=settings.row_cap,
        memory_limit_mb=settings.worker_memory_mb,
        location=store.location,
    )
    pool.start()
    return pool
