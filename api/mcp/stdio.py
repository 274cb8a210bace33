"""`needling mcp`: the MCP server over standard input and output, for desktop agents that start it.

It loads the graph and starts the ad-hoc workers and the reloader as `needling serve` does, so the tools
run under the same guard, deadline, row cap and caches. Standard output carries the protocol only: logs
(the access log's tool-call lines included) go to standard error.
"""

from __future__ import annotations

import logging
import sys

import anyio
import anyio.to_thread
from mcp.server.stdio import stdio_server

from api.app import load_snapshot, shut_down, start_watching, with_runner
from api.mcp.server import McpService
from api.state import Runtime
from kg.settings import Settings

log = logging.getLogger("needling.mcp")


def serve_stdio(settings: Settings) -> int:
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    anyio.run(_serve, settings)
    return 0


async def _serve(settings: Settings) -> None:
    # The SDK points descriptor 1 at standard error while it serves, so the forked query workers started
    # inside, and anything a library prints, can never write into the protocol stream.
    async with stdio_server() as (read, write):
        snapshot = await anyio.to_thread.run_sync(load_snapshot, settings)
        runtime = Runtime(settings, await anyio.to_thread.run_sync(with_runner, snapshot, settings))
        reloader = start_watching(runtime)
        service = McpService(runtime, transport="stdio")
        log.info("needling-kg MCP server on stdio with %d triples", snapshot.graph.store.triples)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(service.notify_changes)
                await service.server.run(read, write, service.server.create_initialization_options())
                group.cancel_scope.cancel()
        finally:
            await anyio.to_thread.run_sync(shut_down, runtime, reloader)
