"""Scale runs: the real graph and generated graphs of 10^4, 10^5, 10^6 triples.

`python -m bench.scale [--sizes 1e4,1e5,1e6] [--runs 20] [--duration 5] [--cycles 2] [--no-http]`
measures, for each graph, in a fresh process: the embedded store's load time plus the catalogue, resident
memory after loading, and every named query's median latency with its example parameters; then starts
the service on that graph and measures requests/s at 16 connections (the named query, and the two paths no
cache can answer); then Oxigraph server on the same graph, answering the same texts as those two. Prints
tables and writes bench/out/scale-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench import ONTOLOGY, OUT, ROOT
from bench.generate import cached_graph, count_triples, size_label
from bench.load import choose_client
from bench.procs import SERVER_CORE, Server, free_port, pinned, rss_mb, servers_stopped_on_exit
from bench.report import busy_warning, environment, load_average, render_table, timestamp, verdict, write_json
from bench.scale_peer import (
    VS_OXIGRAPH,
    http_of,
    load_target,
    measure_oxigraph,
    render_vs_oxigraph,
    rps_of,
    vs_oxigraph,
)
from bench.servers import (
    PRICE_PARAM,
    PRICE_QUERY,
    SPARQL_JSON,
    query_path,
    sciatica_select,
    varying,
    varying_price,
)

NAMED = "/api/queries/treatments_for_condition?condition=sciatica"
TARGETS = {"startup_s": 10.0, "rss_mb": 600.0, "query_median_ms": 5.0, "http_vs_small": 0.8}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="comma-separated triple counts")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per named query")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per HTTP run")
    parser.add_argument("--cycles", type=int, default=2, help="HTTP runs per graph; the best counts")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--no-install", action="store_true", help="never install wrk")
    args = parser.parse_args(argv)
    args.sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    client = None if args.no_http else choose_client(args.client, may_install=not args.no_install)
    stamp = timestamp()
    if warning := busy_warning(load_average()):
        print(warning, file=sys.stderr)
    graphs: list[tuple[str, Path, dict[str, object]]] = [
        ("real", ONTOLOGY, {"triples": count_triples(ONTOLOGY)})
    ]
    graphs += [(size_label(n), *cached_graph(n, args.seed)) for n in args.sizes]
    results: list[dict[str, object]] = []
    try:
        with servers_stopped_on_exit() as started:
            for label, path, meta in graphs:
                print(f"bench: {label} ({path.name}): in-process ...", file=sys.stderr)
                row: dict[str, object] = {"graph": label, "file": str(path), "generated": meta}
                row["inprocess"] = measure_inprocess(path, args.runs)
                if client:
                    print(f"bench: {label}: the service over HTTP ...", file=sys.stderr)
                    row["http"] = measure_http(label, path, client, args, started, stamp)
                    print(f"bench: {label}: Oxigraph server, the same texts ...", file=sys.stderr)
                    row["oxigraph"] = measure_oxigraph(label, path, client, args, started, stamp)
                results.append(row)
    except KeyboardInterrupt:
        print("\nbench: interrupted; every server was stopped", file=sys.stderr)
        return 130
    verdicts = judge(results)
    print(render_sizes(results))
    print()
    print(render_queries(results))
    print()
    print(render_vs_oxigraph(results))
    print()
    print(render_table(["target (largest graph)", "value", "limit", "verdict"], verdicts, right=(1, 2)))
    path = write_json(
        "scale",
        stamp,
        {
            "kind": "scale",
            "stamp": stamp,
            "settings": vars(args),
            "environment": environment(client),
            "results": results,
            "targets": [dict(zip(("target", "value", "limit", "verdict"), v, strict=True)) for v in verdicts],
        },
    )
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


def measure_inprocess(path: Path, runs: int) -> dict[str, object]:
    """bench.inprocess in a new process (its progress goes to the terminal), so memory is that graph's."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", str(path), "--runs", str(runs)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        return {"error": f"bench.inprocess exited {done.returncode}"}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure_http(
    label: str, path: Path, client: str, args: argparse.Namespace, started: list[Server], stamp: str
) -> dict[str, object]:
    """The service on this graph: time to ready, memory, and requests/s of the sciatica query two ways."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [
        sys.executable,
        "-m",
        "api",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ontology",
        str(path),
    ]
    server = Server(
        f"self-{label}",
        pinned(argv, SERVER_CORE),
        log=OUT / "logs" / f"scale-{label}-{stamp}.log",
        env={"NEEDLING_WATCH": "false", "NEEDLING_ACCESS_LOG": "false"},
        cwd=ROOT,
    )
    started.append(server.start())
    out: dict[str, object] = {}
    try:
        out["ready_s"] = round(server.wait_ready(base + "/healthz", timeout_s=900), 2)
        out["service_rss_mb"] = rss_mb(server.pid)
        out["service_pss_total_mb"] = group_pss_mb(server.pid)
        for name, target, accept, kind in http_targets():
            out[name] = load_target(base, target, accept, kind, client, args)
            server.trim_log()
    except Exception as exc:  # one graph's failure is reported, the others still measured
        out["error"] = f"{exc.__class__.__name__}: {exc}"
    finally:
        server.stop()
        started.remove(server)
    return out


def http_targets() -> list[tuple[str, str, str, str]]:
    """The named query (answered from the response cache after the first request); the same SPARQL with a
    LIMIT that changes on every request through /sparql; and a named query whose parameter changes on
    every request (its rows do not grow with the graph): the two costs when no cache can help."""
    return [
        ("named", NAMED, "application/json", "named"),
        ("uncached", query_path("/sparql", varying(sciatica_select())), SPARQL_JSON, "sparql"),
        (
            "named-varying",
            f"/api/queries/{PRICE_QUERY}?{PRICE_PARAM}={varying_price()}",
            "application/json",
            "named",
        ),
    ]


def group_pss_mb(pid: int) -> float | None:
    """Proportional set size of the server and its forked workers: shared pages counted once in all."""
    total, found = 0, False
    for member in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    found = True
        except OSError:
            continue
    return total / 1024 if found else None


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids + [grandchild for kid in kids for grandchild in _children(kid)]


def render_sizes(results: list[dict[str, object]]) -> str:
    small = rps_of(results[0]) if results else None
    small_uncached = rps_of(results[0], "uncached") if results else None
    rows = []
    for row in results:
        ip: dict[str, object] = row["inprocess"]  # type: ignore[assignment]
        http, rps, uncached = http_of(row), rps_of(row), rps_of(row, "uncached")
        rows.append([
            row["graph"], ip.get("triples"), ip.get("store_load_s"), ip.get("startup_s"),
            ip.get("rss_after_load_mb"), ip.get("peak_rss_mb"), http.get("ready_s"), http.get("service_rss_mb"),
            http.get("service_pss_total_mb"), rps, rps / small if rps and small else None,
            uncached, uncached / small_uncached if uncached and small_uncached else None,
        ])  # fmt: skip
    headers = ["graph", "triples", "load s", "startup s", "RSS MB", "peak MB", "serve ready s", "serve RSS MB",
               "serve+workers PSS MB", "named req/s", "x real", "uncached req/s", "x real"]  # fmt: skip
    return render_table(headers, rows, right=tuple(range(1, len(headers))))


def render_queries(results: list[dict[str, object]]) -> str:
    names = sorted({n for r in results for n in r["inprocess"].get("queries", {})})  # type: ignore[attr-defined]
    rows = []
    for name in [*names, "(ask: sciatica and cost)"]:
        line: list[object] = [name]
        for row in results:
            ip: dict[str, object] = row["inprocess"]  # type: ignore[assignment]
            q = ip.get("ask", {}) if name.startswith("(ask") else ip.get("queries", {}).get(name, {})  # type: ignore[attr-defined]
            line.append(q.get("error", "error")[:20] if "error" in q else q.get("median_ms"))
        last = results[-1]["inprocess"]  # type: ignore[index]
        q = last.get("ask", {}) if name.startswith("(ask") else last.get("queries", {}).get(name, {})  # type: ignore[attr-defined]
        line.append(q.get("evaluated_median_ms"))
        line.append(q.get("rows", q.get("bytes")))
        line.append(q.get("first_ms"))
        rows.append(line)
    headers = ["named query (median ms)", *[str(r["graph"]) for r in results], "evaluated ms (largest)",
               "rows/bytes (largest)", "first run ms (largest)"]  # fmt: skip
    return render_table(headers, rows, right=tuple(range(1, len(headers))))


def judge(results: list[dict[str, object]]) -> list[list[object]]:
    """The issue's targets, checked on the largest graph measured."""
    if len(results) < 2:
        return []
    last = results[-1]
    ip: dict[str, object] = last["inprocess"]  # type: ignore[assignment]
    graph = last["graph"]
    verdicts: list[list[object]] = []

    def add(label: str, value: float | None, limit: float | None, higher_is_better: bool = False) -> None:
        verdicts.append([f"{label} at {graph}", value, limit, verdict(value, limit, higher_is_better)])

    add("startup s (store + catalogue)", ip.get("startup_s"), TARGETS["startup_s"])  # type: ignore[arg-type]
    add("service ready s (over HTTP)", http_of(last).get("ready_s"), TARGETS["startup_s"])  # type: ignore[arg-type]
    add("RSS MB after load", ip.get("rss_after_load_mb"), TARGETS["rss_mb"])  # type: ignore[arg-type]
    add("peak RSS MB (load + queries)", ip.get("peak_rss_mb"), TARGETS["rss_mb"])  # type: ignore[arg-type]
    queries = {n: q for n, q in ip.get("queries", {}).items() if "median_ms" in q}  # type: ignore[attr-defined]
    if queries:
        slowest = max(queries, key=lambda n: queries[n]["median_ms"])
        add(
            f"every named query median ms (slowest: {slowest})",
            queries[slowest]["median_ms"],
            TARGETS["query_median_ms"],
        )
        for name, q in sorted(queries.items(), key=lambda item: -item[1]["median_ms"]):
            if name != slowest and q["median_ms"] >= TARGETS["query_median_ms"]:
                add(f"  {name} median ms", q["median_ms"], TARGETS["query_median_ms"])
        evaluated = {n: q["evaluated_median_ms"] for n, q in queries.items() if "evaluated_median_ms" in q}
        if evaluated:  # context, not a target: what the first caller after a (re)load waits
            slowest = max(evaluated, key=lambda n: evaluated[n])
            add(f"  evaluated afresh, no cache (slowest: {slowest})", evaluated[slowest], None)
    for target, label in (
        ("named", "named req/s vs real graph"),
        ("uncached", "same query uncached, vs real graph"),
    ):
        small, big = rps_of(results[0], target), rps_of(last, target)
        add(label, big / small if big and small else None, TARGETS["http_vs_small"], True)
    for ours, (_theirs, floor) in VS_OXIGRAPH.items():
        name = "/sparql varying" if ours == "uncached" else "named varying"
        add(f"{name} / Oxigraph server, same texts", vs_oxigraph(last, ours), floor, True)
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
