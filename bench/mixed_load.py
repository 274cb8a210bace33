"""Mixed traffic under abuse: questions, named queries, small SPARQL and pages, while one client hits the deadline.

`python -m bench.mixed_load [--clients 32] [--duration 20] [--deadline-s 2] [--json [OUT]]` starts the real
service (`python -m api serve` on 127.0.0.1, `NEEDLING_WATCH=false`, `NEEDLING_ACCESS_LOG=false`,
`NEEDLING_DEADLINE_S`), runs N keep-alive clients for D seconds, each sending a seeded mix of requests
(`/api/ask`, `/api/queries/...`, `/sparql?query=` with a changing `LIMIT`, HTML pages), plus ONE more client
that keeps sending a 4-way cartesian COUNT that can only end at the deadline. It prints, per kind, the
requests, errors, and the 50/90/99th percentile and maximum latency, then the verdict:

- normal traffic: every answer has the expected status (200) and body, and p99 is under 1 s;
- the abuser: every answer is a 503 with the error code `timeout`, none is a 200, none hangs.

The exit code is 0 when all hold, 1 otherwise. Every loop is bounded by the duration and every request
by a timeout, and the server is always stopped (on Ctrl-C and SIGTERM too). `tests/test_load.py` runs a
short form of the same thing through `run()`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

from bench import OUT, ROOT
from bench.loadgen import read_response
from bench.mixed_figures import (
    ABUSER,
    NORMAL_KINDS,
    KindStats,
    render,
    summarize,
    verdict,
)
from bench.mixed_traffic import HANG_MARGIN_S, REQUEST_TIMEOUT_S, Call, Mix, abuser_call
from bench.procs import Server, free_port, http_get, servers_stopped_on_exit
from bench.report import busy_warning, environment, load_average, timestamp

T = TypeVar("T")
"""One row of the report: requests, errors, rps, p50/p90/p99/max in ms, the commonest error reasons."""
"""An abuser request with no answer this long after the deadline counts as a hang."""
# --------------------------------------------------------------------------- the HTTP client


def check(call: Call, status: int, body: bytes) -> str | None:
    """Why an answer is wrong, or None when it is what this call expects."""
    if status != call.status:
        return f"HTTP {status} (expected {call.status}) on {call.path[:60]}"
    if call.expect and call.expect not in body:
        return f"body lacks {call.expect.decode()!r} on {call.path[:60]}"
    return None


async def client(
    host: str, port: int, calls: Callable[[], Call], stop_at: float, stats: dict[str, KindStats]
) -> None:
    """One keep-alive connection sending calls back to back until stop_at; reconnects after a failure."""
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.monotonic() < stop_at:
        call = calls()
        kind = stats[call.kind]
        started = time.perf_counter()
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(host, port)
            request = f"GET {call.path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: {call.accept}\r\n\r\n"
            writer.write(request.encode("latin-1"))
            status, body, keep_alive = await asyncio.wait_for(read_response(reader), call.timeout_s)
        except TimeoutError:
            kind.latencies.append(time.perf_counter() - started)
            kind.fail(f"no answer within {call.timeout_s:g} s (hang)")
            _close(writer)
            writer = reader = None
            continue
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            kind.latencies.append(time.perf_counter() - started)
            kind.fail(f"connection error: {type(exc).__name__}")
            _close(writer)
            writer = reader = None
            await asyncio.sleep(0.01)
            continue
        kind.latencies.append(time.perf_counter() - started)
        problem = check(call, status, body)
        if problem:
            kind.fail(problem)
        if not keep_alive:
            _close(writer)
            writer = reader = None
    _close(writer)


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()


async def drive(
    base: str, clients: int, duration_s: float, deadline_s: float, seed: int = 7
) -> dict[str, KindStats]:
    """N normal clients and one abuser against `base` for duration_s; the raw figures per kind."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    stats = {kind: KindStats() for kind in (*NORMAL_KINDS, ABUSER)}
    stop_at = time.monotonic() + duration_s
    mixes = [Mix(seed + n) for n in range(clients)]
    abuse = abuser_call(deadline_s)
    tasks = [client(host, int(port), mix.next_call, stop_at, stats) for mix in mixes]
    tasks.append(client(host, int(port), lambda: abuse, stop_at, stats))
    # a request started just before stop_at may take its whole timeout; nothing runs longer than that
    bound = duration_s + max(REQUEST_TIMEOUT_S, deadline_s + HANG_MARGIN_S) + 5
    await asyncio.wait_for(asyncio.gather(*tasks), bound)
    return stats


@contextlib.contextmanager
def service(deadline_s: float, log: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`python -m api serve` on a free loopback port, as deployed but without watching or access log;
    yields its base URL and stops it (and its workers) on leaving."""
    port = free_port()
    env = {
        "NEEDLING_WATCH": "false",
        "NEEDLING_ACCESS_LOG": "false",
        "NEEDLING_DEADLINE_S": f"{deadline_s:g}",
        **(extra_env or {}),
    }
    argv = [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with servers_stopped_on_exit() as started:
        server = Server("needling-kg", argv, log=log, env=env, cwd=ROOT)
        started.append(server.start())
        base = f"http://127.0.0.1:{port}"
        server.wait_ready(f"{base}/healthz", timeout_s=120)
        yield base


def server_counters(base: str) -> dict[str, float]:
    """A few of the service's own counters from /metrics (timeouts, cache hits and misses)."""
    wanted = ("needling_query_timeouts_total", "needling_cache_hits_total", "needling_cache_misses_total")
    try:
        _, body = http_get(f"{base}/metrics", timeout=5)
    except OSError:
        return {}
    found = {}
    for line in body.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(" ")
        if name in wanted:
            found[name] = float(value)
    return found


def run(
    clients: int = 32,
    duration_s: float = 20.0,
    deadline_s: float = 2.0,
    *,
    log: Path | None = None,
    seed: int = 7,
) -> dict[str, Any]:
    """Start the service, drive the mixed load, stop the service; the figures and the verdict."""
    log = log or OUT / "logs" / "mixed-load-server.log"
    load_before = load_average()
    with service(deadline_s, log) as base:
        started = time.monotonic()
        stats = _run_async(drive(base, clients, duration_s, deadline_s, seed))
        elapsed = time.monotonic() - started
        try:
            healthy = http_get(f"{base}/healthz", timeout=5)[0] == 200
        except OSError:
            healthy = False
        counters = server_counters(base)
    rows = summarize(stats, duration_s)
    checks = verdict(rows, healthy)
    return {
        "clients": clients,
        "duration_s": duration_s,
        "elapsed_s": round(elapsed, 2),
        "deadline_s": deadline_s,
        "load_average_before": load_before,
        "kinds": rows,
        "server_counters": counters,
        "checks": [{"criterion": name, "passed": ok, "figure": detail} for name, ok, detail in checks],
        "passed": all(ok for _, ok, _ in checks),
        "table": render(rows, checks),
    }


def _run_async(job: Coroutine[Any, Any, T]) -> T:
    """Run the clients on an event loop of their own thread, so a caller that already has a loop
    (a test session after Playwright's sync API, a notebook) can still call this."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def main() -> None:
        try:
            try:
                import uvloop
            except ImportError:
                outcome.append(asyncio.run(job))
            else:
                outcome.append(uvloop.run(job))
        except BaseException as exc:  # handed back to the caller's thread below
            failure.append(exc)

    thread = threading.Thread(target=main, name="mixed-load")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32, help="normal clients (the abuser is one more)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--deadline-s", type=float, default=2.0, help="NEEDLING_DEADLINE_S for the service")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--json",
        nargs="?",
        const="",
        default=None,
        metavar="OUT",
        help="write the figures as JSON (to OUT, or bench/out/mixed-load-<time>.json)",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.deadline_s <= 0:
        parser.error("--clients, --duration and --deadline-s must be positive")
    warning = busy_warning(load_average())
    if warning:
        print(warning, file=sys.stderr)
    print(
        f"mixed load: {args.clients} clients + 1 abuser for {args.duration:g} s, deadline {args.deadline_s:g} s",
        file=sys.stderr,
    )
    result = run(args.clients, args.duration, args.deadline_s, seed=args.seed)
    print(result["table"])
    if args.json is not None:
        out = Path(args.json) if args.json else OUT / f"mixed-load-{timestamp()}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        machine = environment("bench.mixed_load (asyncio)")
        machine["pinned"] = "not pinned: server, its workers and the load generator share the cores"
        data = {**result, "environment": machine}
        out.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
