"""Ad-hoc SPARQL's own lane: threads of its own, a bound on the queries waiting, a deadline from arrival.

Before this lane, each /sparql request waiting for one of the two query workers held one of the 40 threads
that every blocking route shares: 45 clients sending a slow query made `/healthz` take 4.5 s, named queries
and questions waited behind them, and a query could wait 10 s for a thread before its 5 s deadline began.
Now ad-hoc queries run on a thread limiter of their own, sized to the queries admitted (the workers plus
`NEEDLING_MAX_WAITING_QUERIES`), so they never take a shared thread and never wait for one of their own;
one more is refused at once with 503 `overloaded` and `Retry-After`; and the deadline is counted from
when the request arrived (see `arrival`), so time spent waiting for a worker is part of it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Request
from fastapi.responses import Response

from api.errors import ApiError
from api.observability import ARRIVED
from kg.errors import NeedlingError

T = TypeVar("T")


def arrival(request: Request) -> float:
    """When the request arrived; now, for an app run without the access-log middleware."""
    arrived = request.scope.get(ARRIVED)
    return float(arrived) if arrived is not None else time.monotonic()


class QueryLane:
    """Admission and threads for ad-hoc queries; `in_flight` only changes on the event loop, so no lock."""

    def __init__(self, capacity: int, deadline_s: float) -> None:
        if capacity < 1:
            raise ValueError("the query lane needs room for at least one query")
        self.capacity = capacity
        self.retry_after_s = max(1, math.ceil(deadline_s))
        """The longest a running query can keep a worker: by then one is free again."""
        self.in_flight = 0
        self.refused = 0
        self.timeouts = 0
        self._limiter: CapacityLimiter | None = None

    def admit(self) -> None:
        """Raise 503 `overloaded` when the lane is full: cheap, so a request can be refused before its body is read."""
        if self.in_flight >= self.capacity:
            self.refused += 1
            raise ApiError(
                "overloaded",
                f"{self.in_flight} ad-hoc queries are running or waiting, the most this service takes; "
                f"try again in {self.retry_after_s} s",
                headers={"Retry-After": str(self.retry_after_s)},
            )

    async def run(self, work: Callable[..., Response], *args: Any) -> Response:
        """Run the blocking `work(*args)` on the lane's threads once admitted; count its timeouts."""
        response = await self.call(work, *args)
        self.timeouts += response.status_code == 503  # the query page shows its timeout on the page
        return response

    async def run_here(self, work: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Admit, then await `work(*args)` on the event loop itself: for work that never blocks it (see
        `api/routes/sparql.py`), saving the hop to a thread and back. Counted as `call` counts."""
        self.admit()
        self.in_flight += 1
        try:
            return await work(*args)
        except NeedlingError as exc:
            self.timeouts += exc.code == "timeout"
            raise
        finally:
            self.in_flight -= 1

    async def call(self, work: Callable[..., T], *args: Any) -> T:
        """Admit, then run the blocking `work(*args)` on the lane's threads; a `timeout` it raises is
        counted. The HTTP routes and the MCP `sparql` tool both come through here."""
        self.admit()
        if self._limiter is None:
            self._limiter = CapacityLimiter(self.capacity)
        self.in_flight += 1
        try:
            return await anyio.to_thread.run_sync(work, *args, limiter=self._limiter)
        except NeedlingError as exc:
            self.timeouts += exc.code == "timeout"
            raise
        finally:
            self.in_flight -= 1
