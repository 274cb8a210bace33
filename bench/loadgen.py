"""A small HTTP/1.1 keep-alive load client (asyncio), used when Debian's wrk is not there.

`python -m bench.loadgen --url URL --connections 16 --duration 5 [--header "Accept: ..."] [--base N]`
prints one JSON line. A `__N__` in the URL becomes a number that changes on every request, counting up
from `--base`. Every loop is bounded by the deadline, and each request by a 10 s timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import time
from urllib.parse import urlsplit

from bench.load import VARY, VARY_BASE

_REQUEST_TIMEOUT_S = 10.0


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.non_2xx = 0
        self.socket_errors = 0


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One whole HTTP/1.1 response: status, body and whether the connection stays open."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length, chunked, keep_alive = 0, False, True
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection" and value == "close":
            keep_alive = False
    if chunked:
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            parts.append((await reader.readexactly(size + 2))[:-2])
            if size == 0:
                break
        return status, b"".join(parts), keep_alive
    return status, (await reader.readexactly(length) if length else b""), keep_alive


async def _connection(
    url: str, headers: list[str], deadline: float, counter: itertools.count, stats: Stats
) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + ("?" + parts.query if parts.query else "")
    extra = "".join(f"{h}\r\n" for h in headers)
    writer: asyncio.StreamWriter | None = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            path = target.replace(VARY, str(next(counter))) if VARY in target else target
            request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n".encode()
            start = time.perf_counter()
            writer.write(request)
            status, _, keep_alive = await asyncio.wait_for(read_response(reader), _REQUEST_TIMEOUT_S)
            stats.latencies.append(time.perf_counter() - start)
            if status >= 400:
                stats.non_2xx += 1
            if not keep_alive:
                writer.close()
                writer = None
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError, TimeoutError):
            stats.socket_errors += 1
            if writer is not None:
                writer.close()
                writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def run(
    url: str, connections: int, duration_s: float, headers: list[str], base: int = VARY_BASE
) -> dict[str, object]:
    stats = Stats()
    counter = itertools.count(base + 1)
    start = time.monotonic()
    deadline = start + duration_s
    tasks = [_connection(url, headers, deadline, counter, stats) for _ in range(connections)]
    await asyncio.wait_for(asyncio.gather(*tasks), duration_s + _REQUEST_TIMEOUT_S + 5)
    elapsed = time.monotonic() - start
    lat = sorted(stats.latencies) or [0.0]

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000

    ok = len(stats.latencies) - stats.non_2xx
    return {
        "connections": connections,
        "duration_s": round(elapsed, 3),
        "requests": len(stats.latencies),
        "ok": ok,
        "non_2xx": stats.non_2xx,
        "socket_errors": stats.socket_errors,
        "rps": ok / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(lat) * 1000,
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": lat[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument(
        "--base", type=int, default=VARY_BASE, help="__N__ counts up from here; give each run its own"
    )
    args = parser.parse_args()
    job = run(args.url, args.connections, args.duration, args.header, args.base)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(job)
    else:
        result = uvloop.run(job)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
