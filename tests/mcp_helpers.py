"""MCP clients for the tests: the SDK's own `Client`, over stdio (`python -m api mcp`, as a desktop agent
starts it) or over Streamable HTTP against a real `needling serve` process."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio
import mcp_types as types
from helpers import ROOT
from mcp import Client
from mcp.client.session import MessageHandlerFnT
from mcp.client.stdio import StdioServerParameters, stdio_client

TRANSPORTS = ("stdio", "http")
T = TypeVar("T")


@contextlib.asynccontextmanager
async def mcp_client(
    transport: str,
    base: str,
    env: Mapping[str, str] | None = None,
    *,
    mode: str = "auto",
    on_message: MessageHandlerFnT | None = None,
) -> AsyncIterator[Client]:
    """A connected client: over HTTP to `{base}/mcp`, or over stdio to a `needling mcp` process of its own
    started with the NEEDLING_* settings in `env` (its log goes to a temporary file, shown on failure)."""
    if transport == "http":
        async with Client(f"{base}/mcp", mode=mode, message_handler=on_message) as client:
            yield client
        return
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("NEEDLING_")}
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "api", "mcp"],
        cwd=ROOT,
        env={**inherited, "NEEDLING_WATCH": "false", **(env or {})},
    )
    with tempfile.TemporaryFile("w+") as log:
        try:
            async with Client(
                stdio_client(params, errlog=log), mode=mode, message_handler=on_message
            ) as client:
                yield client
        except BaseException:
            log.seek(0)
            sys.stderr.write("needling mcp said:\n" + log.read()[-3000:])
            raise


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """`anyio.run(scenario)` on a thread of its own: the browser tests' Playwright keeps an event loop
    marked as running on the main thread for the whole session, where a second one may not start."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = anyio.run(scenario)
        except BaseException as exc:  # handed to the test's thread, which raises it
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="mcp-test-client")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def structured(result: types.CallToolResult) -> dict[str, Any]:
    assert result.structured_content is not None, result
    return dict(result.structured_content)


def error_of(result: types.CallToolResult) -> dict[str, str]:
    """The error a refused call answers with: {"code", "message"}, as the HTTP API's error body holds it."""
    assert result.is_error, f"expected a tool error, got {result.structured_content}"
    return dict(structured(result)["error"])


def without_timing(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "elapsed_ms"}
