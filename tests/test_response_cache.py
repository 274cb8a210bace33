"""The response cache keeps within its bounds: the newest entries stay, the oldest go first."""

from __future__ import annotations

import asyncio
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from api.response_cache import ENTRY_OVERHEAD_BYTES, ResponseCache

BODY = 1_000
HEADERS = [(b"content-type", b"text/plain")]
ENTRY = (
    len("/resource/item-0") + BODY + sum(len(k) + len(v) for k, v in [*HEADERS, (b"vary", b"Accept")])
) + ENTRY_OVERHEAD_BYTES
"""What one entry of the tests below counts against the budget: its path (no query string, no Accept),
body, headers (Vary added) and the fixed cost."""


class _Page:
    """A read API answering BODY bytes for any path, counting the calls that reach it."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": b"x" * BODY})


def _get(cache: ResponseCache, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> bytes:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": headers or []}
    body: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        body.append(message.get("body", b""))

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    # In a thread of its own: a browser test may have left an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, cache(scope, receive, send)).result()
    return b"".join(body)


def test_the_cache_keeps_no_more_bytes_than_its_budget() -> None:
    page = _Page()
    cache = ResponseCache(page, version=lambda: "v1", max_bytes=5 * ENTRY, second_sight=False)
    for n in range(8):
        assert _get(cache, f"/resource/item-{n}") == b"x" * BODY
    assert cache.bytes == 5 * ENTRY and len(cache.entries) == 5
    _get(cache, "/resource/item-7")  # the newest is kept: no new call
    assert page.calls == 8
    _get(cache, "/resource/item-0")  # the oldest went first: a new call
    assert page.calls == 9
    assert cache.bytes <= 5 * ENTRY


def test_a_new_graph_version_empties_the_cache_and_its_count() -> None:
    version = ["v1"]
    cache = ResponseCache(_Page(), version=lambda: version[0], second_sight=False)
    for n in range(3):
        _get(cache, f"/resource/item-{n}")
    assert cache.bytes == 3 * ENTRY
    version[0] = "v2"
    _get(cache, "/resource/item-0")
    assert cache.bytes == ENTRY and len(cache.entries) == 1


def test_large_accept_headers_do_not_grow_the_cache_past_its_budget() -> None:
    """Each entry counts its key too: 2,000 entries keyed by distinct 8 KB Accept headers hold about what the
    cache counts, measured by tracemalloc, and a budget smaller than their keys keeps the cache within it."""
    cache = ResponseCache(_Page(), version=lambda: "v1", max_bytes=64 * 1024 * 1024, second_sight=False)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2_000):
            accept = f"application/x-{n}, ".encode() + b"a" * 8_000
            _get(cache, "/compare", [(b"accept", accept)])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(cache.entries) == 2_000
    assert 0.8 * cache.bytes < held < 1.2 * cache.bytes, (
        f"the cache holds {held:,} bytes for {cache.bytes:,} counted"
    )
    small = ResponseCache(_Page(), version=lambda: "v1", max_bytes=1_000_000, second_sight=False)
    for n in range(2_000):
        _get(small, "/compare", [(b"accept", f"application/x-{n}, ".encode() + b"a" * 8_000)])
    assert small.bytes <= 1_000_000 and len(small.entries) < 120


def test_an_answer_is_kept_the_second_time_it_is_asked_for() -> None:
    page = _Page()
    cache = ResponseCache(page, version=lambda: "v1")
    for n in range(1_000):  # a parameter moved freely: every URL asked for once
        assert _get(cache, f"/resource/item-{n}") == b"x" * BODY
    assert (len(cache.entries), cache.bytes, cache.stats.passed) == (0, 0, 1_000)
    for _ in range(3):
        assert _get(cache, "/resource/item-999") == b"x" * BODY
    assert page.calls == 1_001  # asked for again: answered and kept; then replayed
    assert (len(cache.entries), cache.stats.stored, cache.stats.hits) == (1, 1, 2)


def test_an_answer_from_the_cache_says_it_varies_by_accept() -> None:
    cache = ResponseCache(_Page(), version=lambda: "v1")
    for _ in range(3):  # passed over, stored, then replayed
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any], sent: list[dict[str, Any]] = sent) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request"}

        scope = {"type": "http", "method": "GET", "path": "/compare", "query_string": b"", "headers": []}
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, cache(scope, receive, send)).result()
        assert (b"vary", b"Accept") in sent[0]["headers"]
