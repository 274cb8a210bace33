"""The response cache keeps within its bounds: the newest entries stay, the oldest go first."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from api.response_cache import ResponseCache

BODY = 1_000


class _Page:
    """A read API answering BODY bytes for any path, counting the calls that reach it."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": b"x" * BODY})


def _get(cache: ResponseCache, path: str) -> bytes:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
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
    cache = ResponseCache(page, version=lambda: "v1", max_bytes=5 * BODY)
    for n in range(8):
        assert _get(cache, f"/resource/item-{n}") == b"x" * BODY
    assert cache.bytes == 5 * BODY and len(cache.entries) == 5
    _get(cache, "/resource/item-7")  # the newest is kept: no new call
    assert page.calls == 8
    _get(cache, "/resource/item-0")  # the oldest went first: a new call
    assert page.calls == 9
    assert cache.bytes <= 5 * BODY


def test_a_new_graph_version_empties_the_cache_and_its_count() -> None:
    version = ["v1"]
    cache = ResponseCache(_Page(), version=lambda: version[0])
    for n in range(3):
        _get(cache, f"/resource/item-{n}")
    assert cache.bytes == 3 * BODY
    version[0] = "v2"
    _get(cache, "/resource/item-0")
    assert cache.bytes == BODY and len(cache.entries) == 1
