"""A reload changes the MCP tools live, and connected clients are told (`notifications/.../list_changed`).

Each test serves a private copy of the ontology and the queries folder with the reloader watching it,
connects the SDK client over one transport, and edits the files as a person would: a new `.rq` file
becomes a new tool, and a new synonym in the graph changes the resources. Clients on the 2026-07-28
protocol hear it on their `subscriptions/listen` stream; handshake-era clients (`mode="legacy"`, as
desktop agents of 2025 connect) get the notification on the session itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from helpers import running_server
from mcp.client.subscriptions import ResourcesListChanged, ToolsListChanged
from mcp_helpers import TRANSPORTS, mcp_client, run, structured

from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES

pytestmark = pytest.mark.server

NOTICED_WITHIN_S = 30.0
"""The reloader polls every second and a reload takes a few; a loaded machine may need more."""
NEW_QUERY = "cost_factors_again"
SYNONYM = '\nnkg:sciatica skos:altLabel "leg nerve pain"@en .\n'


@pytest.fixture
def files(tmp_path: Path) -> Path:
    shutil.copy(DEFAULT_ONTOLOGY, tmp_path / "needling.ttl")
    shutil.copytree(DEFAULT_QUERIES, tmp_path / "queries")
    return tmp_path


@pytest.fixture
def settings(files: Path) -> dict[str, str]:
    return {
        "NEEDLING_WATCH": "true",
        "NEEDLING_ACCESS_LOG": "false",
        "NEEDLING_ONTOLOGY": str(files / "needling.ttl"),
        "NEEDLING_QUERIES": str(files / "queries"),
        "NEEDLING_SHAPES": str(DEFAULT_SHAPES),
    }


@pytest.fixture
def base(settings: dict[str, str]) -> Iterator[str]:
    with running_server(**settings) as url:
        yield url


def add_query(files: Path) -> None:
    """A new named query: a copy of cost_factors.rq under another name and title, without cues."""
    text = (files / "queries" / "cost_factors.rq").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("# cue:")]
    lines = [line.replace("# title: ", "# title: Again: ", 1) for line in lines]
    (files / "queries" / f"{NEW_QUERY}.rq").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_new_query_file_is_a_new_tool_and_listeners_are_told(
    transport: str, base: str, files: Path, settings: dict[str, str]
) -> None:
    async def scenario() -> tuple[list[str], list[str], dict[str, Any]]:
        async with mcp_client(transport, base, settings) as client:
            before = [tool.name for tool in (await client.list_tools()).tools]
            async with client.listen(tools_list_changed=True) as subscription:
                add_query(files)
                with anyio.fail_after(NOTICED_WITHIN_S):
                    async for event in subscription:
                        if isinstance(event, ToolsListChanged):
                            break
            after = [tool.name for tool in (await client.list_tools()).tools]
            answer = structured(await client.call_tool(NEW_QUERY, {}))
        return before, after, answer

    before, after, answer = run(scenario)
    assert NEW_QUERY not in before
    assert sorted(after) == sorted([*before, NEW_QUERY])
    assert answer["rows"], answer


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_handshake_era_client_is_told_of_new_tools_and_changed_resources(
    transport: str, base: str, files: Path, settings: dict[str, str]
) -> None:
    heard: list[str] = []

    async def on_message(message: object) -> None:
        method = getattr(message, "method", None)
        if isinstance(method, str) and method.endswith("list_changed"):
            heard.append(method)

    async def wait_for(method: str) -> None:
        with anyio.fail_after(NOTICED_WITHIN_S):
            while method not in heard:
                await anyio.sleep(0.1)

    async def scenario() -> tuple[list[str], list[str]]:
        async with mcp_client(transport, base, settings, mode="legacy", on_message=on_message) as client:
            before = [tool.name for tool in (await client.list_tools()).tools]
            add_query(files)
            await wait_for("notifications/tools/list_changed")
            after = [tool.name for tool in (await client.list_tools()).tools]
            with (files / "needling.ttl").open("a", encoding="utf-8") as ontology:
                ontology.write(SYNONYM)
            await wait_for("notifications/resources/list_changed")
        return before, after

    before, after = run(scenario)
    assert sorted(after) == sorted([*before, NEW_QUERY])
    assert heard.count("notifications/tools/list_changed") == 1, heard  # the synonym changed no tool


def test_listeners_hear_resources_change_when_the_graph_does(
    base: str, files: Path, settings: dict[str, str]
) -> None:
    async def scenario() -> list[object]:
        events: list[object] = []
        async with mcp_client("http", base) as client:
            listening = client.listen(tools_list_changed=True, resources_list_changed=True)
            async with listening as subscription:
                with (files / "needling.ttl").open("a", encoding="utf-8") as ontology:
                    ontology.write(SYNONYM)
                with anyio.fail_after(NOTICED_WITHIN_S):
                    async for event in subscription:
                        events.append(event)
                        if isinstance(event, ResourcesListChanged):
                            break
        return events

    events = run(scenario)
    assert [type(event) for event in events] == [ResourcesListChanged]
