"""The MCP server: the SDK's low-level `Server` with handlers over the running service (its `Runtime`), the
tool-call metrics and access-log lines, and the list-changed notifications after a reload.

The low-level `Server` rather than `MCPServer` (the SDK's decorator API): the tools are not functions
known at import time but the named queries of the current snapshot, which a reload may change while the
server runs, and their schemas come from the `.rq` headers, not from Python signatures.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from typing import Any

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server import NotificationOptions, Server, ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.models import InitializationOptions
from mcp.server.subscriptions import (
    InMemorySubscriptionBus,
    ListenHandler,
    ResourcesListChanged,
    ToolsListChanged,
)
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from api.mcp import resources, tools
from api.state import Runtime, Snapshot
from kg.errors import NeedlingError

log = logging.getLogger("needling.mcp")
access_log = logging.getLogger("needling.access")
POLL_S = 0.25
"""How often the notifier looks for a swapped snapshot: a reload takes seconds, so a quarter more is nothing."""
INSTRUCTIONS = (
    "A knowledge graph about dry needling and acupuncture, built from one consumer article. Start with "
    "`ask` for a question in plain words; its reply names the named query (a tool of the same name) and the "
    "parameters that answered it, for follow-ups. " + tools.CAUTION
)
KEPT_TOOL_LISTS = 4
RESOURCE_NOT_FOUND = -32002
"""The MCP spec's JSON-RPC code for a resource that does not exist."""


class _NeedlingServer(Server[Any]):
    """The SDK server, announcing on the handshake that tools and resources may change (a reload); on
    2026-07-28 connections the SDK derives that from the `subscriptions/listen` handler itself."""

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        changes = notification_options or NotificationOptions(tools_changed=True, resources_changed=True)
        return super().create_initialization_options(changes, experimental_capabilities, extensions)


class McpService:
    """One per process: the SDK server and what it needs to answer from the current snapshot."""

    def __init__(self, runtime: Runtime, transport: str) -> None:
        self.runtime = runtime
        self.transport = transport
        self.bus = InMemorySubscriptionBus()
        self._legacy: weakref.WeakSet[Connection] = weakref.WeakSet()
        """Handshake-era connections, told of changes directly (the 2026 era listens on the bus)."""
        self._tools: dict[str, list[types.Tool]] = {}
        """The tool lists given out, by graph version, oldest first: what a reload is compared with."""
        self._tools_lock = threading.Lock()
        self.server = _NeedlingServer(
            "needling-kg",
            version="0.1.0",
            title="needling-kg",
            instructions=INSTRUCTIONS,
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_templates,
            on_read_resource=self._read_resource,
            on_subscriptions_listen=ListenHandler(self.bus),
        )

    # ------------------------------------------------------------------ tools

    def tools_of(self, snapshot: Snapshot) -> list[types.Tool]:
        """The tools of a snapshot, built once per graph version (blocking: class members are queried)."""
        version = snapshot.graph.version
        with self._tools_lock:
            built = self._tools.get(version)
        if built is None:
            built = tools.tool_list(snapshot.graph)
            with self._tools_lock:
                self._tools[version] = built
                while len(self._tools) > KEPT_TOOL_LISTS:
                    del self._tools[next(iter(self._tools))]
        return built

    async def _list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        self._remember(ctx)
        listed = await anyio.to_thread.run_sync(self.tools_of, self.runtime.snapshot)
        return types.ListToolsResult(tools=listed)

    async def _call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        self._remember(ctx)
        started = time.perf_counter()
        arrived = tools.now()
        name, arguments = params.name, dict(params.arguments or {})
        outcome = "ok"
        try:
            if name == tools.SPARQL:
                body = await self.runtime.lane.call(tools.sparql, self.runtime, arguments, arrived)
            else:
                body = await anyio.to_thread.run_sync(tools.call, self.runtime, name, arguments)
            result = tools.ok_result(body)
        except NeedlingError as exc:
            outcome = exc.code
            result = tools.error_result(exc)
        except Exception:  # a failure of ours: logged, answered as one, and the session goes on
            log.exception("MCP tool %s failed", name)
            outcome = "internal_error"
            failure = NeedlingError("the server failed to answer; the error was logged", "internal_error")
            result = tools.error_result(failure)
        self._observe(name, outcome, time.perf_counter() - started)
        return result

    def _observe(self, name: str, outcome: str, seconds: float) -> None:
        known = self.runtime.snapshot.graph.catalogue
        tool = name if name in tools.BUILT_IN or name in known else "unknown"  # a bounded label
        self.runtime.metrics.observe_tool(tool, outcome, seconds)
        if self.runtime.settings.access_log:
            line = {
                "request_id": os.urandom(16).hex(),
                "method": "tools/call",
                "transport": self.transport,
                "tool": name[:100],
                "status": outcome,
                "duration_ms": round(seconds * 1000, 3),
            }
            access_log.info(json.dumps(line))

    # ------------------------------------------------------------------ resources

    async def _list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        self._remember(ctx)
        cursor = params.cursor if params else None
        return await self._resource_call(resources.list_page, cursor)

    async def _list_templates(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=[resources.TEMPLATE])

    async def _read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        self._remember(ctx)
        return await self._resource_call(resources.read, str(params.uri))

    async def _resource_call(self, work: Any, argument: str | None) -> Any:
        """A resource request on a thread; our failures as JSON-RPC errors carrying the HTTP code."""
        try:
            return await anyio.to_thread.run_sync(work, self.runtime.snapshot.graph, argument)
        except NeedlingError as exc:
            status = exc.outcome.status
            number = RESOURCE_NOT_FOUND if status == 404 else types.INVALID_PARAMS if status < 500 else -32603
            raise MCPError(number, str(exc), {"code": exc.code}) from exc

    # ------------------------------------------------------------------ changes

    def _remember(self, ctx: ServerRequestContext[Any]) -> None:
        """Keep a handshake-era connection, to tell it of changes (it has no `subscriptions/listen`)."""
        connection = getattr(ctx.session, "_connection", None)  # the SDK keeps it private on the session
        if isinstance(connection, Connection) and connection.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            self._legacy.add(connection)

    async def notify_changes(self) -> None:
        """Until cancelled: when the snapshot is swapped (a reload), tell clients that the tools changed if
        they did (a new or edited `.rq`, a new member of a class an enum lists) and that the resources
        changed if the graph did. Nothing is queried until a client has listed the tools."""
        seen = self.runtime.snapshot
        while True:
            await anyio.sleep(POLL_S)
            current = self.runtime.snapshot
            if current is seen:
                continue
            if await self._tools_differ(seen, current):
                await self._announce(tools_changed=True)
            if current.graph.store.version != seen.graph.store.version:
                await self._announce(tools_changed=False)
            seen = current

    async def _tools_differ(self, old: Snapshot, new: Snapshot) -> bool:
        with self._tools_lock:
            given = self._tools.get(old.graph.version)
        if given is None:  # no client was given the old list: only a changed catalogue can matter
            return old.graph.catalogue.version != new.graph.catalogue.version
        try:
            fresh = await anyio.to_thread.run_sync(self.tools_of, new)
        except Exception as exc:  # a remote store that is down now: say the tools may have changed
            log.warning("MCP: could not list the tools of graph %s: %s", new.graph.version, exc)
            return True
        return _dump(fresh) != _dump(given)

    async def _announce(self, *, tools_changed: bool) -> None:
        what = "tools" if tools_changed else "resources"
        log.info(
            "MCP: the %s changed; telling %d handshake-era clients and every listener",
            what,
            len(self._legacy),
        )
        await self.bus.publish(ToolsListChanged() if tools_changed else ResourcesListChanged())
        for connection in list(self._legacy):
            with anyio.move_on_after(5):  # a client that stopped reading does not hold up the others
                if tools_changed:
                    await connection.send_tool_list_changed()
                else:
                    await connection.send_resource_list_changed()


def _dump(listed: list[types.Tool]) -> str:
    return json.dumps([tool.model_dump(mode="json", exclude_none=True) for tool in listed], sort_keys=True)
