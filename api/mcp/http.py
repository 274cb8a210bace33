"""MCP over Streamable HTTP at `/mcp`, in the same app as the HTTP API, behind an `Origin` check.

The MCP spec asks a server to validate `Origin` on every request to its endpoint, against DNS rebinding: a
page on another site that resolves its own name to 127.0.0.1 could otherwise drive a local server through
the visitor's browser. A request whose `Origin` is present and not allowed is refused with 403 before the
SDK sees it; one with no `Origin` (not sent by a browser: an agent, curl) goes on. The allowed origins are
`NEEDLING_MCP_ALLOWED_ORIGINS`, by default http://localhost, http://127.0.0.1, http://[::1] and the
address the service is reached on, on the port the request came in on (the listening socket's, never the
Host header's, which the attacker writes).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from starlette.routing import Route

from api.mcp.server import McpService
from api.state import Runtime

PATH = "/mcp"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
Scope = dict[str, Any]


def allowed_origins(configured: list[str], scope: Scope) -> set[str]:
    """The configured origins, else the local names and the address the request came in on, on its port
    (all read from the listening socket, which the client cannot choose)."""
    if configured:
        return {origin.rstrip("/") for origin in configured}
    address, port = scope.get("server") or (None, None)
    hosts = set(LOCAL_HOSTS)
    if address:
        hosts.add(f"[{address}]" if ":" in address else address)
    suffix = f":{port}" if port not in (None, 80) else ""
    return {f"http://{host}{suffix}" for host in hosts}


class OriginGuard:
    """Pure ASGI: refuse a present, foreign `Origin` with 403 and the usual JSON error body."""

    def __init__(self, app: Callable[..., Any], configured: list[str]) -> None:
        self.app = app
        self.configured = configured

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        origin = dict(scope.get("headers", [])).get(b"origin")
        if origin is not None:
            given = origin.decode("latin-1").rstrip("/")
            if given not in allowed_origins(self.configured, scope):
                await _forbidden(send, given)
                return
        await self.app(scope, receive, send)


async def _forbidden(send: Any, origin: str) -> None:
    message = (
        f"requests to {PATH} from the origin {origin[:100]!r} are not allowed; "
        "set NEEDLING_MCP_ALLOWED_ORIGINS to allow a browser origin"
    )
    body = json.dumps({"error": {"code": "forbidden_origin", "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class McpEndpoint:
    """The `/mcp` route and the lifespan piece that runs the SDK's session manager and the notifier."""

    def __init__(self, runtime: Runtime) -> None:
        self.service = McpService(runtime, transport="http")
        # Our own Origin check stands in front; the SDK's (Host and Origin against fixed lists) is off, so
        # the service can be bound to any address the deployment chooses.
        self.manager = StreamableHTTPSessionManager(app=self.service.server, security_settings=None)
        self.route = Route(
            PATH,
            endpoint=OriginGuard(StreamableHTTPASGIApp(self.manager), runtime.settings.mcp_allowed_origins),
            methods=["GET", "POST", "DELETE"],
            include_in_schema=False,
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self.manager.run(), anyio.create_task_group() as group:
            group.start_soon(self.service.notify_changes)
            try:
                yield
            finally:
                group.cancel_scope.cancel()
