"""A response cache in front of the app: the graph is read-mostly, so a repeated GET is answered from memory.

Entries are keyed by the graph version as well as the request, so a reload can never serve a stale answer;
the cache is emptied when the version changes. Only successful GETs of the read API and of the pages that
show the graph (home, comparison, answers, named-query forms) are kept, and only while `keep()` says so
(never for a remote store, which others may write to).

The key is the path, the query string and the Accept header exactly as the routes read them (repeated
Accept lines are joined before this runs, see api/request_head.py), so what a client asked for is what it
gets. Memory counts every byte an entry holds: key, body, headers and a fixed cost for the bookkeeping, so
large Accept headers can no more grow the cache past its budget than large pages (thirty 10 MB ones used
to add 300 MB that no budget counted).

A response is kept the second time its key is asked for, not the first (kg/engine/admission.py): the
never-repeated URLs of a client that varies a parameter or the SPARQL text leave nothing to store or scan.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.paths import area_of
from kg.engine.admission import Doorkeeper

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

MAX_ENTRY_BYTES = 1_000_000
MAX_TOTAL_BYTES = 64 * 1024 * 1024
"""The bytes kept in all, so that a crawl of large pages cannot make the cache the service's memory."""
ENTRY_OVERHEAD_BYTES = 640
"""The Entry and key tuples, the Python objects around the key's, body's and headers' bytes and the
OrderedDict slot: about 620 bytes an entry with two headers beside the bytes themselves (tracemalloc)."""
VARY = (b"vary", b"Accept")


Key = tuple[str, str, bytes, bytes]
"""(graph version, path, query string, Accept)."""


@dataclass(frozen=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None
    size: int = 0
    """What the entry counts against the budget, its key included."""


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    passed: int = 0
    """Answers not kept: their key was asked for the first time."""


class ResponseCache:
    """Pure ASGI middleware; `version` tells the current graph version (it changes on reload)."""

    def __init__(
        self,
        app: ASGIApp,
        version: Callable[[], str],
        stats: CacheStats | None = None,
        keep: Callable[[], bool] = lambda: True,
        max_entries: int = 4096,
        max_bytes: int = MAX_TOTAL_BYTES,
        second_sight: bool = True,
    ) -> None:
        """`second_sight`: keep an answer the second time its key is asked for (False: the first time)."""
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.keep = keep
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.bytes = 0
        self.stats = stats or CacheStats()
        self._seen_version = ""
        self.door = Doorkeeper() if second_sight else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not _cacheable(scope["path"])
            or not self.keep()
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = self._key(scope, headers)
        entry = self.entries.get(key)
        if entry is not None:
            self.stats.hits += 1
            self.entries.move_to_end(key)
            await _replay(entry, headers.get(b"if-none-match"), send)
            return
        self.stats.misses += 1
        kept = self.door is None or self.door.admit(key)
        if not kept:
            self.stats.passed += 1
        await self.app(scope, receive, self._recorder(key if kept else None, send))

    def _key(self, scope: Scope, headers: dict[bytes, bytes]) -> Key:
        version = self.version()
        if version != self._seen_version:
            self.entries.clear()
            self.bytes = 0
            self._seen_version = version
            if self.door is not None:
                self.door.clear()
        return (version, scope["path"], scope.get("query_string", b""), headers.get(b"accept", b""))

    def _recorder(self, key: Key | None, send: Send) -> Send:
        """`send` with the Vary header every cacheable answer gets; with a `key`, the answer is kept too."""
        start: Message = {}
        chunks: list[bytes] = []

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_vary(message.get("headers", []))}
                start.update(message)
            elif message["type"] == "http.response.body" and key is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    self._store(key, start, b"".join(chunks))
            await send(message)

        return record

    def _store(self, key: Key, start: Message, body: bytes) -> None:
        headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        if len(body) > MAX_ENTRY_BYTES or any(k == b"cache-control" and b"no-store" in v for k, v in headers):
            return
        if key[0] != self._seen_version:
            return  # the graph changed while this request ran
        etag = next((v for k, v in headers if k == b"etag"), None)
        self._drop(key)
        size = entry_size(key, headers, body)
        self.entries[key] = Entry(start["status"], headers, body, etag, size)
        self.bytes += size
        self.stats.stored += 1
        while len(self.entries) > self.max_entries or self.bytes > self.max_bytes:
            self._drop(next(iter(self.entries)))

    def _drop(self, key: Key) -> None:
        dropped = self.entries.pop(key, None)
        if dropped is not None:
            self.bytes -= dropped.size


def entry_size(key: Key, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    _, path, query, accept = key
    held = len(path) + len(query) + len(accept) + len(body) + sum(len(k) + len(v) for k, v in headers)
    return held + ENTRY_OVERHEAD_BYTES


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Every cached URL answers by Accept (a page, JSON, CSV or Turtle): say so to caches downstream."""
    for name, value in headers:
        if name.lower() == b"vary" and b"accept" in value.lower():
            return headers
    return [*headers, VARY]


async def _replay(entry: Entry, if_none_match: bytes | None, send: Send) -> None:
    if entry.etag and if_none_match and _matches(entry.etag, if_none_match):
        kept = [(k, v) for k, v in entry.headers if k in (b"etag", b"cache-control", b"vary")]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
    await send({"type": "http.response.body", "body": entry.body})


def _matches(etag: bytes, header: bytes) -> bool:
    tags = {tag.strip().removeprefix(b"W/") for tag in header.split(b",")}
    return etag in tags or b"*" in tags


def _cacheable(path: str) -> bool:
    """The read API, and the pages that show only the graph and the named queries (both in the version)."""
    area = area_of(path)
    return area is not None and area.cacheable
