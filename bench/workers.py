"""One process against several: `needling serve --workers 1` and `--workers 2` back to back in one run.

`python -m bench.workers [--graph real|1e6] [--processes 1,2] [--duration 5] [--cycles 2] [--no-http]
[--no-open]` measures, for each process count in turn on the same graph: the time until /healthz answers,
requests/s at 16 connections of the named query, `/api/ask` and a named query no cache can answer
(`named-varying`), and the memory of the whole process group (PSS summed over the parent, its serving
processes and their sandbox workers, from /proc/PID/smaps_rollup: shared pages counted once). Nothing is
pinned: the serving processes may use every core, the load generator runs beside them. Then, in this
process, the graph's start two ways: opening its persisted store folder (built first if missing) against
parsing the Turtle into memory. Prints ratios against the first process count, writes
bench/out/workers-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import OUT, ROOT
from bench.generate import cached_graph
from bench.load import VARY, VARY_BASE, choose_client, run_load, warm_up
from bench.procs import Server, free_port, http_get, servers_stopped_on_exit
from bench.report import busy_warning, environment, load_average, render_table, timestamp, write_json
from bench.scale import group_pss_mb
from bench.servers import PRICE_PARAM, PRICE_QUERY, QUESTION, check_answer, varying_price

TARGETS = {
    "named": ("/api/queries/treatments_for_condition?condition=sciatica", "named"),
    "ask": ("/api/ask?" + urlencode({"q": QUESTION}), "ask"),
    "named-varying": (f"/api/queries/{PRICE_QUERY}?{PRICE_PARAM}={varying_price()}", "named"),
}
GOALS = {"named": 1.6, "ask": 1.6, "pss": 1.5, "open_s": 1.0}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default="real", help="real, or a generated size such as 1e6")
    parser.add_argument(
        "--processes",
        default="1,2",
        help="comma-separated process counts, in order; N:memory parses into memory (NEEDLING_PERSIST=false)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per HTTP run")
    parser.add_argument("--cycles", type=int, default=2, help="passes over the process counts; best counts")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated: " + ", ".join(TARGETS))
    parser.add_argument("--no-http", action="store_true", help="only the start: persisted against parsed")
    parser.add_argument("--no-open", action="store_true", help="no in-process start measurement")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args(argv)
    args.processes = [p.strip() for p in args.processes.split(",") if p.strip()]
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    return args


def graph_file(label: str) -> Path:
    if label == "real":
        return ROOT / "ontology" / "needling.ttl"
    return cached_graph(int(float(label)), 42)[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path = graph_file(args.graph)
    stamp = timestamp()
    if warning := busy_warning(load_average()):
        print(warning, file=sys.stderr)
    client = None if args.no_http else choose_client(args.client, may_install=True)
    out: dict[str, object] = {"kind": "workers", "stamp": stamp, "graph": args.graph, "settings": vars(args)}
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as store_dir:
        if client:
            out["servers"] = measure_servers(path, Path(store_dir), client, args, stamp)
        if not args.no_open:
            out["open"] = measure_open(path, Path(store_dir) / "open")  # a folder of its own: built here
    out["environment"] = environment(client)
    print(render(out, args))
    written = write_json("workers", stamp, out)
    print(f"\nresults: {written.relative_to(ROOT)}")
    return 0


def measure_servers(
    path: Path, store_dir: Path, client: str, args: argparse.Namespace, stamp: str
) -> dict[str, dict[str, object]]:
    """Each process count started once (the first start builds the store folder, so a warm-up start
    comes first), measured, then stopped; the cycles alternate the counts so drift hits all alike."""
    found: dict[str, dict[str, object]] = {
        str(n): {"rps": {t: [] for t in args.targets}} for n in args.processes
    }
    with servers_stopped_on_exit() as started:
        if any(not variant.endswith(":memory") for variant in args.processes):
            prebuild = _start(
                path, store_dir, "1", started, stamp, "prebuild"
            )  # builds the store folder once
            prebuild.stop()
            started.remove(prebuild)
        for cycle in range(args.cycles):
            for count in args.processes:
                row = found[count]
                server = _start(path, store_dir, count, started, stamp, f"c{cycle}")
                base = f"http://127.0.0.1:{server.port}"
                row.setdefault("ready_s", []).append(round(server.ready_s, 2))  # type: ignore[union-attr]
                for name in args.targets:
                    target, kind = TARGETS[name]
                    check_answer(kind, *http_get(base + target.replace(VARY, str(VARY_BASE))))
                    warm_up(base, target, "application/json", 1.0)
                    result = run_load(
                        base + target,
                        client=client,
                        connections=args.connections,
                        duration_s=args.duration,
                        headers={"Accept": "application/json"},
                    )
                    row["rps"][name].append(round(result.rps, 1))  # type: ignore[index]
                    print(
                        f"  cycle {cycle + 1} processes={count} {name:<14} {result.rps:>8,.0f} req/s",
                        file=sys.stderr,
                    )
                row.setdefault("pss_mb", []).append(group_pss_mb(server.pid))  # type: ignore[union-attr]
                server.stop()
                started.remove(server)
    return found


def _start(path: Path, store_dir: Path, variant: str, started: list[Server], stamp: str, tag: str) -> Server:
    """`variant`: a process count, with `:memory` to parse into memory instead of opening the store."""
    count, _, kind = variant.partition(":")
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "api",
        "serve",
        "--port",
        str(port),
        "--workers",
        count,
        "--ontology",
        str(path),
    ]
    env = {"NEEDLING_WATCH": "false", "NEEDLING_ACCESS_LOG": "false", "NEEDLING_STORE_DIR": str(store_dir)}
    if kind == "memory":
        env["NEEDLING_PERSIST"] = "false"
    log = OUT / "logs" / f"workers-{count}{kind}-{tag}-{stamp}.log"
    server = Server(f"workers-{variant}", argv, log=log, env=env, cwd=ROOT)
    started.append(server.start())
    server.ready_s = server.wait_ready(f"http://127.0.0.1:{port}/healthz", timeout_s=1800)  # type: ignore[attr-defined]
    server.port = port  # type: ignore[attr-defined]
    return server


def measure_open(path: Path, store_dir: Path) -> dict[str, object]:
    """Seconds to have the graph's store: its persisted folder opened (median of 5, after one build),
    against the Turtle parsed into memory (one run)."""
    from kg.store import EmbeddedStore, open_persisted

    started = time.perf_counter()
    built = open_persisted(path, store_dir)
    first = time.perf_counter() - started
    triples = built.triples
    del built
    opens = []
    for _ in range(5):
        started = time.perf_counter()
        store = open_persisted(path, store_dir)
        opens.append(time.perf_counter() - started)
        del store
    started = time.perf_counter()
    parsed = EmbeddedStore.load(path)
    parse_s = time.perf_counter() - started
    return {
        "triples": triples,
        "first_open_or_build_s": round(first, 3),
        "persisted_open_s": round(statistics.median(opens), 4),
        "parse_s": round(parse_s, 3),
        "parsed_triples": parsed.triples,
    }


def render(out: dict[str, object], args: argparse.Namespace) -> str:
    lines: list[str] = []
    servers: dict[str, dict[str, object]] = out.get("servers") or {}  # type: ignore[assignment]
    if servers:
        first = str(args.processes[0])
        rows = []
        for count, row in servers.items():
            rps: dict[str, list[float]] = row["rps"]  # type: ignore[assignment]
            pss = [p for p in row.get("pss_mb", []) if p]  # type: ignore[union-attr]
            line: list[object] = [count, max(row.get("ready_s", [0]))]  # type: ignore[type-var]
            for name in args.targets:
                best, base = max(rps[name], default=0), max(servers[first]["rps"][name], default=0)  # type: ignore[index]
                line += [
                    f"{best:,.0f} ({'/'.join(f'{r:,.0f}' for r in rps[name])})",
                    round(best / base, 2) if base else None,
                ]
            base_pss = [p for p in servers[first].get("pss_mb", []) if p]  # type: ignore[union-attr]
            line += [
                round(max(pss), 1) if pss else None,
                round(max(pss) / max(base_pss), 2) if pss and base_pss else None,
            ]
            rows.append(line)
        headers = ["processes", "ready s"]
        for name in args.targets:
            headers += [f"{name} req/s (cycles)", f"x {first}"]
        headers += ["PSS MB (group)", f"x {first}"]
        lines.append(render_table(headers, rows, right=tuple(range(1, len(headers)))))
    opened: dict[str, object] = out.get("open") or {}  # type: ignore[assignment]
    if opened:
        lines.append("")
        lines.append(
            render_table(
                ["graph", "triples", "persisted open s", "parse s", "first build s", f"goal < {GOALS['open_s']} s"],
                [[out["graph"], opened["triples"], opened["persisted_open_s"], opened["parse_s"],
                  opened["first_open_or_build_s"], "met" if float(opened["persisted_open_s"]) < GOALS["open_s"] else "MISSED"]],  # type: ignore[arg-type]
                right=(1, 2, 3, 4),
            )
        )  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
