"""Request hygiene before any route or cache reads the request: repeated headers joined, HEAD answered as GET."""

from __future__ import annotations

from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]

LIST_HEADERS = frozenset({b"accept", b"if-none-match"})
"""Headers whose value is a comma-separated list, so that several lines of one mean their values joined
(RFC 9110 5.3). Starlette reads the first line of a header and a dict of the scope the last: joined, the
cache key, the negotiation and the error pages all read the same value."""


class JoinedHeaders:
    """Pure ASGI middleware: a list header sent on several lines becomes one line, values joined by ", "."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            names = [name for name, _ in scope["headers"]]
            if names.count(b"accept") > 1 or names.count(b"if-none-match") > 1:
                scope = {**scope, "headers": joined(scope["headers"])}
        await self.app(scope, receive, send)


def joined(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with each list header on one line, where its first line was."""
    values: dict[bytes, list[bytes]] = {}
    out: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name not in LIST_HEADERS:
            out.append((name, value))
        elif name not in values:
            values[name] = [value]
            out.append((name, b""))
        else:
            values[name].append(value)
    # An empty line adds no item: "text/csv" and "" mean text/csv, not "text/csv, " (one more, empty, item).
    return [
        (name, b", ".join(v for v in values[name] if v.strip())) if name in values else (name, value)
        for name, value in out
    ]


class HeadAsGet:
    """Pure ASGI middleware: HEAD is GET without the body (RFC 9110 9.3.2), so every GET route answers it
    with the same status and headers (Content-Length included), and the response cache can too."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
