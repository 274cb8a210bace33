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
import itertools
import json
import random
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from bench import OUT, ROOT
from bench.loadgen import read_response
from bench.procs import Server, free_port, http_get, servers_stopped_on_exit
from bench.report import busy_warning, environment, load_average, render_table, timestamp
from bench.servers import QUESTION, sciatica_select

T = TypeVar("T")
Figures = dict[str, Any]
"""One row of the report: requests, errors, rps, p50/p90/p99/max in ms, the commonest error reasons."""
NORMAL_KINDS = ("ask", "named", "sparql", "page")
ABUSER = "abuser"
OVERALL = "overall"
P99_LIMIT_MS = 1000.0
REQUEST_TIMEOUT_S = 10.0
HANG_MARGIN_S = 5.0
"""An abuser request with no answer this long after the deadline counts as a hang."""
WEIGHTS = {"ask": 3, "named": 3, "sparql": 2, "page": 2}
SPARQL_JSON = "application/sparql-results+json"
CARTESIAN_4 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PREFIXES = "PREFIX schema: <http://schema.org/> PREFIX nkg: <https://needling-kg.example.org/kg/> "
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "

# (question, answered?): the refusals must come back 200 with answered false, never an error.
QUESTIONS: tuple[tuple[str, bool], ...] = (
    (QUESTION, True),
    ("how much is dry needling", True),
    ("how much does acupuncture cost", True),
    ("what are the benefits of dry needling", True),
    ("what are the risks of acupuncture", True),
    ("who performs dry needling", True),
    ("where does acupuncture come from", True),
    ("which needling treatment is the most affordable", True),
    ("how do I choose between dry needling and acupuncture", True),
    ("what does the source say about sciatica", True),
    ("how does dry needling compare to acupuncture", True),
    ("what treats back pain under 60 dollars", True),
    ("what conditions does acupuncture treat", True),
    ("what is the weather in paris", False),
    ("who won the world cup", False),
    ("tell me about quantum chromodynamics", False),
)
# (path and query string, Accept, a fragment the body must contain)
NAMED: tuple[tuple[str, str, bytes], ...] = (
    ("cost_of_modality?modality=dry-needling", "application/json", b'"minPrice":50'),
    ("cost_of_modality?modality=acupuncture", "application/json", b'"minPrice":70'),
    ("treatments_for_condition?condition=sciatica", "application/json", b"acupuncture"),
    ("treatments_for_condition?condition=back-pain", "application/json", b"dry-needling"),
    ("treatments_for_condition?condition=plantar-fasciitis", "application/json", b'"rows"'),
    ("label_search?text=needl", "application/json", b"needl"),
    ("label_search?text=acu", "application/json", b'"rows"'),
    ("list_entities?type=schema:MedicalCondition", "application/json", b"sciatica"),
    ("compare_modalities", "application/json", b'"rows"'),
    ("cheapest_modality", "application/json", b"dry-needling"),
    ("claims_about?resource=sciatica", "application/json", b'"rows"'),
    ("describe_resource?resource=qi", "application/json", b'"rows"'),
    ("modalities_with_property?value=trigger-points", "application/json", b'"rows"'),
    ("risks_of_modality?modality=dry-needling", "application/json", b'"rows"'),
    ("conditions_of_modality?modality=acupuncture", "application/json", b"sciatica"),
    ("resource_graph?resource=dry-needling", "text/turtle", b"dry-needling"),
    ("treatments_for_condition?condition=sciatica", "text/csv", b"acupuncture"),
)
PAGES: tuple[tuple[str, bytes], ...] = (
    ("/", b"<html"),
    ("/ask?" + urlencode({"q": QUESTION}), b"<html"),
    ("/ask?" + urlencode({"q": "how much is dry needling"}), b"<html"),
    ("/compare", b"<html"),
    ("/resource/dry-needling", b"<html"),
    ("/queries/cost_of_modality", b"<html"),
)


@dataclass(frozen=True)
class Call:
    """One request to send and what a correct answer looks like."""

    kind: str
    path: str
    accept: str
    status: int = 200
    expect: bytes = b""
    """A fragment the body must contain (empty: any body)."""
    timeout_s: float = REQUEST_TIMEOUT_S


@dataclass
class KindStats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.errors += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


class Mix:
    """The normal traffic: a seeded, weighted choice of calls; numbers change so caches cannot answer all."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.counter = itertools.count(1)
        self.sciatica = sciatica_select()
        self.kinds = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]

    def next_call(self) -> Call:
        kind = self.random.choice(self.kinds)
        return getattr(self, f"_{kind}")()

    def _probe(self, accept: str) -> str:
        """Half the time, an Accept parameter no one sent before: the response cache keys by Accept."""
        if self.random.random() < 0.5:
            return f"{accept}; probe={next(self.counter)}"
        return accept

    def _ask(self) -> Call:
        question, answered = self.random.choice(QUESTIONS)
        expect = b'"answered":true' if answered else b'"answered":false'
        path = "/api/ask?" + urlencode({"q": question})
        return Call("ask", path, self._probe("application/json"), expect=expect)

    def _named(self) -> Call:
        if self.random.random() < 0.2:  # a price ceiling that changes: a new URL most times
            price = f"{self.random.randint(40, 200)}.{self.random.randint(0, 99):02d}"
            path = "/api/queries/treatments_under_price?" + urlencode({"max_price": price})
            return Call("named", path, "application/json", expect=b'"rows"')
        tail, accept, expect = self.random.choice(NAMED)
        return Call("named", "/api/queries/" + tail, self._probe(accept), expect=expect)

    def _sparql(self) -> Call:
        limit = 1000 + next(self.counter)  # a new text every time: every one runs in a worker
        choice = self.random.randrange(3)
        if choice == 0:
            query, expect = self.sciatica + f"LIMIT {limit}\n", b"acupuncture"
        elif choice == 1:
            price = "nkg:dry-needling schema:offers/schema:priceSpecification/schema:minPrice ?min"
            query, expect = PREFIXES + f"SELECT ?min WHERE {{ {price} }} LIMIT {limit}", b'"50"'
        else:
            query = SKOS + f"SELECT ?s ?label WHERE {{ ?s skos:prefLabel ?label }} LIMIT {limit % 50 + 1}"
            expect = b'"bindings"'
        return Call("sparql", "/sparql?query=" + quote(query, safe=""), SPARQL_JSON, expect=expect)

    def _page(self) -> Call:
        path, expect = self.random.choice(PAGES)
        return Call("page", path, "text/html", expect=expect)


def abuser_call(deadline_s: float) -> Call:
    return Call(
        ABUSER,
        "/sparql?query=" + quote(CARTESIAN_4, safe=""),
        SPARQL_JSON,
        status=503,
        expect=b'"code":"timeout"',
        timeout_s=deadline_s + HANG_MARGIN_S,
    )


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


# --------------------------------------------------------------------------- figures and verdict


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def figures(stats: KindStats, window_s: float) -> Figures:
    lat = sorted(stats.latencies)
    return {
        "requests": len(lat),
        "errors": stats.errors,
        "rps": round(len(lat) / window_s, 1) if window_s else 0.0,
        "p50_ms": round(percentile(lat, 50) * 1000, 2),
        "p90_ms": round(percentile(lat, 90) * 1000, 2),
        "p99_ms": round(percentile(lat, 99) * 1000, 2),
        "max_ms": round((lat[-1] if lat else 0.0) * 1000, 2),
        "reasons": dict(sorted(stats.reasons.items(), key=lambda item: -item[1])[:5]),
    }


def summarize(stats: dict[str, KindStats], window_s: float) -> dict[str, Figures]:
    """Figures per kind (req/s over the load window), plus `overall` for the normal traffic together (the abuser is apart)."""
    rows = {kind: figures(stats[kind], window_s) for kind in NORMAL_KINDS}
    normal = KindStats()
    for kind in NORMAL_KINDS:
        normal.latencies += stats[kind].latencies
        normal.errors += stats[kind].errors
        for reason, count in stats[kind].reasons.items():
            normal.reasons[reason] = normal.reasons.get(reason, 0) + count
    rows[OVERALL] = figures(normal, window_s)
    rows[ABUSER] = figures(stats[ABUSER], window_s)
    return rows


def verdict(rows: dict[str, Figures], healthy_after: bool = True) -> list[tuple[str, bool, str]]:
    """The pass criteria: (criterion, held?, the figure behind it)."""
    overall, abuser = rows[OVERALL], rows[ABUSER]
    p99 = float(overall["p99_ms"])
    timeouts = int(abuser["requests"]) - int(abuser["errors"])
    return [
        (
            "zero errors in normal traffic",
            overall["errors"] == 0 and int(overall["requests"]) > 0,
            f"{overall['errors']} errors in {overall['requests']} requests",
        ),
        (f"normal traffic p99 under {P99_LIMIT_MS:.0f} ms", p99 < P99_LIMIT_MS, f"p99 {p99:.1f} ms"),
        (
            "the abuser gets 503 timeouts only (no 200, no hang)",
            abuser["errors"] == 0 and timeouts > 0,
            f"{timeouts} timeouts, {abuser['errors']} other answers",
        ),
        ("the service is healthy afterwards", healthy_after, "/healthz 200" if healthy_after else "no"),
    ]


def render(rows: dict[str, Figures], checks: list[tuple[str, bool, str]]) -> str:
    headers = ["kind", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"]
    keys = ["requests", "errors", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms"]
    order = [*NORMAL_KINDS, OVERALL, ABUSER]
    table = render_table(headers, [[kind, *(rows[kind][k] for k in keys)] for kind in order], range(1, 8))
    lines = [table, ""]
    for kind in order:
        for reason, count in dict(rows[kind]["reasons"]).items():
            lines.append(f"  {kind}: {count} x {reason}")
    lines += [f"{'PASS' if ok else 'FAIL'}  {name}: {detail}" for name, ok, detail in checks]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the service


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
