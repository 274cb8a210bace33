"""MCP at /mcp on a real `needling serve`: the Origin check against DNS rebinding, the resources, and the
tool calls in /metrics and the access log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from helpers import Served, needling_serve
from mcp.shared.exceptions import MCPError
from mcp_helpers import mcp_client, run, structured, without_timing

pytestmark = pytest.mark.server

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with needling_serve() as server:
        yield server


def initialize(base: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{base}/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **headers}, timeout=10)


def test_a_foreign_origin_is_refused_and_local_ones_are_served(served: Served) -> None:
    port = served.port
    for origin in (
        "http://evil.example",
        f"http://evil.example:{port}",
        f"http://localhost:{port + 1}",
        "null",
    ):
        refused = initialize(served.base, Origin=origin)
        assert refused.status_code == 403, origin
        assert refused.json()["error"]["code"] == "forbidden_origin"
    # A page on another site whose name resolves to 127.0.0.1 sends its own Host too: still refused.
    rebound = initialize(served.base, Origin=f"http://evil.example:{port}", Host=f"evil.example:{port}")
    assert rebound.status_code == 403
    for headers in ({}, {"Origin": f"http://127.0.0.1:{port}"}, {"Origin": f"http://localhost:{port}"}):
        served_ok = initialize(served.base, **headers)
        assert served_ok.status_code == 200, (headers, served_ok.text)
        assert "serverInfo" in served_ok.text


def test_allowed_origins_come_from_the_settings() -> None:
    with needling_serve(NEEDLING_MCP_ALLOWED_ORIGINS='["https://app.example"]') as server:
        assert initialize(server.base, Origin="https://app.example").status_code == 200
        assert initialize(server.base, Origin=f"http://127.0.0.1:{server.port}").status_code == 403


def test_resources_list_a_page_at_a_time_and_read_as_the_http_api_serves_them(served: Served) -> None:
    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {"pages": 0, "uris": []}
        async with mcp_client("http", served.base) as client:
            cursor = None
            while True:
                page = await client.list_resources(cursor=cursor)
                seen["pages"] += 1
                seen["uris"] += [resource.uri for resource in page.resources]
                cursor = page.next_cursor
                if cursor is None:
                    break
            seen["templates"] = [
                t.uri_template for t in (await client.list_resource_templates()).resource_templates
            ]
            seen["qi"] = {
                c.mime_type: c.text for c in (await client.read_resource("needling://resource/qi")).contents
            }
            seen["catalogue"] = (await client.read_resource("needling://catalogue")).contents[0].text
            seen["sections"] = (await client.read_resource("needling://sections")).contents[0].text
            with pytest.raises(MCPError) as unknown:
                await client.read_resource("needling://resource/no-such-thing")
            seen["unknown"] = unknown.value
            seen["after"] = structured(await client.call_tool("cheapest_modality", {}))
        return seen

    seen = run(scenario)
    with httpx.Client(base_url=served.base, timeout=30) as http:
        everything = http.get("/api/queries/list_resources", params={"limit": 1000}).json()["rows"]
        names = {row["resource"].rsplit("/", 1)[1] for row in everything} - {""}
        assert set(seen["uris"]) == {f"needling://resource/{name}" for name in names} | {
            "needling://catalogue",
            "needling://sections",
        }
        assert len(seen["uris"]) == len(set(seen["uris"]))  # pages neither overlap nor repeat
        assert seen["pages"] == -(-len(everything) // 100) > 1
        assert seen["templates"] == ["needling://resource/{name}"]
        for media in ("text/turtle", "application/ld+json"):
            assert seen["qi"][media] == http.get("/resource/qi", headers={"Accept": media}).text
        assert json.loads(seen["catalogue"]) == http.get("/api/queries").json()
        sections = http.get("/api/queries/source_sections").json()
        assert without_timing(json.loads(seen["sections"])) == without_timing(sections)
    assert seen["unknown"].error.code == -32002 and seen["unknown"].error.data == {"code": "no_such_resource"}
    assert seen["after"]["rows"]


def test_tool_calls_show_in_metrics_and_the_access_log(served: Served) -> None:
    async def scenario() -> None:
        async with mcp_client("http", served.base) as client:
            for _ in range(3):
                await client.call_tool("ask", {"question": "how much is acupuncture"})
            await client.call_tool("treatments_under_price", {"max_price": "cheap"})

    def counted(metrics: str, line_start: str) -> float:
        found = [line.split()[-1] for line in metrics.splitlines() if line.startswith(line_start)]
        return float(found[0]) if found else 0.0

    before = httpx.get(f"{served.base}/metrics").text
    run(scenario)
    after = httpx.get(f"{served.base}/metrics").text
    ok = 'needling_mcp_tool_calls_total{tool="ask",outcome="ok"}'
    refused = 'needling_mcp_tool_calls_total{tool="treatments_under_price",outcome="invalid_parameter"}'
    assert counted(after, ok) - counted(before, ok) == 3
    assert counted(after, refused) - counted(before, refused) == 1
    assert counted(after, 'needling_mcp_tool_call_duration_seconds_count{tool="ask"}') >= 3
    assert counted(after, 'needling_requests_total{method="POST",path="/mcp",status="200"}') > 0
    lines = [
        json.loads(line.split(" needling.access ", 1)[1])
        for line in served.log_text().splitlines()
        if " needling.access " in line
    ]
    calls = [line for line in lines if line.get("method") == "tools/call"]
    assert {
        "tool": "treatments_under_price",
        "status": "invalid_parameter",
        "transport": "http",
    }.items() <= calls[-1].items()
    assert any(line.get("path") == "/mcp" for line in lines)
