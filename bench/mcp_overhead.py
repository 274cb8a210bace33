"""What MCP costs per call over plain HTTP: the same named query through both, on one server, in one run.

    python -m bench.mcp_overhead [--calls 300] [--warmup 30]

One `needling serve` process; one client process (this one) making sequential calls and timing each,
from the call to its parsed answer, as an agent would see it:

- `http`: `GET /api/queries/treatments_for_condition?condition=sciatica` on one kept-alive connection
  (httpx), each request with its own `Accept` so the response cache never answers: the route, the
  parameter binding and the kept named-query answer, as an MCP call gets them;
- `http (cached)`: the same GET repeated as is, answered by the response cache, as most repeat callers are;
- `mcp http`: the `treatments_for_condition` tool through the SDK's client on one Streamable HTTP session
  (the 2026-07-28 protocol; a POST per call, the answer checked against the tool's output schema);
- `mcp stdio`: the same tool through `needling mcp` started by the SDK's client.

The ratio is each median (and p90) over the uncached HTTP's. Results go to `bench/out/mcp-overhead.json`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from bench.procs import Server, free_port, servers_stopped_on_exit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "mcp-overhead.json"
QUERY = "treatments_for_condition"
PARAMS = {"condition": "sciatica"}
QUIET = {"NEEDLING_WATCH": "false", "NEEDLING_ACCESS_LOG": "false"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_http(base: str, calls: int, warmup: int, *, cached: bool) -> list[float]:
    url = f"{base}/api/queries/{QUERY}"
    timings = []
    with httpx.Client(timeout=30) as http:
        for number in range(warmup + calls):
            # A distinct Accept (same meaning) keys a distinct response-cache entry: the route answers.
            accept = "application/json" if cached else f"application/json, */*;q=0.{number % 9 + 1}{number}"
            started = time.perf_counter()
            response = http.get(url, params=PARAMS, headers={"Accept": accept})
            rows = response.json()["rows"]
            elapsed = time.perf_counter() - started
            assert response.status_code == 200 and len(rows) == 2, response.text[:300]
            if number >= warmup:
                timings.append(elapsed)
    return timings


async def time_tool(client: Client, calls: int, warmup: int) -> list[float]:
    timings = []
    for number in range(warmup + calls):
        started = time.perf_counter()
        result = await client.call_tool(QUERY, dict(PARAMS))
        rows = (result.structured_content or {}).get("rows", [])
        elapsed = time.perf_counter() - started
        assert not result.is_error and len(rows) == 2, result.structured_content
        if number >= warmup:
            timings.append(elapsed)
    return timings


def time_mcp(open_client: Callable[[], Client], calls: int, warmup: int) -> list[float]:
    async def session() -> list[float]:
        async with open_client() as client:
            return await time_tool(client, calls, warmup)

    runner: Callable[[], Awaitable[list[float]]] = session
    return anyio.run(runner)


def summary(name: str, timings: list[float], baseline: list[float] | None) -> dict[str, Any]:
    median, p90 = statistics.median(timings) * 1000, percentile(timings, 0.9) * 1000
    row: dict[str, Any] = {"transport": name, "calls": len(timings), "median_ms": median, "p90_ms": p90}
    if baseline:
        row["ratio_median"] = median / (statistics.median(baseline) * 1000)
        row["ratio_p90"] = p90 / (percentile(baseline, 0.9) * 1000)
    return row


def run(calls: int, warmup: int, stdio: bool) -> list[dict[str, Any]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryDirectory() as folder, servers_stopped_on_exit() as started:
        server = Server("needling serve", command, log=Path(folder) / "server.log", env=QUIET, cwd=ROOT)
        started.append(server.start())
        server.wait_ready(f"{base}/healthz", timeout_s=90)
        http = time_http(base, calls, warmup, cached=False)
        cached = time_http(base, calls, warmup, cached=True)
        over_http = time_mcp(lambda: Client(f"{base}/mcp"), calls, warmup)
        rows = [summary("http", http, None), summary("http (cached)", cached, http)]
        rows.append(summary("mcp http", over_http, http))
        if stdio:
            params = StdioServerParameters(
                command=sys.executable, args=["-m", "api", "mcp"], cwd=ROOT, env=QUIET
            )
            with (Path(folder) / "mcp.log").open("w") as log:
                over_stdio = time_mcp(lambda: Client(stdio_client(params, errlog=log)), calls, warmup)
            rows.append(summary("mcp stdio", over_stdio, http))
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'transport':<15} {'calls':>6} {'median ms':>10} {'p90 ms':>8} {'x median':>9} {'x p90':>7}"]
    for row in rows:
        ratios = (
            f"{row['ratio_median']:>9.2f} {row['ratio_p90']:>7.2f}"
            if "ratio_median" in row
            else f"{'1.00':>9} {'1.00':>7}"
        )
        lines.append(
            f"{row['transport']:<15} {row['calls']:>6} {row['median_ms']:>10.2f} {row['p90_ms']:>8.2f} {ratios}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=300, help="timed calls per transport")
    parser.add_argument("--warmup", type=int, default=30, help="untimed calls first")
    parser.add_argument("--no-stdio", action="store_true", help="leave out `needling mcp` on stdio")
    args = parser.parse_args(argv)
    rows = run(args.calls, args.warmup, stdio=not args.no_stdio)
    print(table(rows))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"query": QUERY, "params": PARAMS, "rows": rows}, indent=2), encoding="utf-8")
    print(f"results: {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
