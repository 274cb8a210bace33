"""Side by side in one run: this service, Oxigraph server, rdflib-endpoint and a hello-world ceiling.

`python -m bench.peers [--duration 5] [--connections 1,16] [--cycles 2] [--quick] [--only self,...]`
starts each server pinned to core 0, drives load from core 1, prints requests/s, latencies and the
ratios issue 6 sets targets for, writes bench/out/peers-<timestamp>.json, and stops every server.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench import OUT, ROOT
from bench.load import VARY, VARY_BASE, LoadResult, choose_client, run_load, warm_up
from bench.procs import (
    SERVER_CORE,
    Server,
    ServerFailed,
    free_port,
    http_get,
    pinned,
    rss_mb,
    servers_stopped_on_exit,
)
from bench.ratios import best_of, compute_ratios, render_ratios, render_results
from bench.report import busy_warning, environment, load_average, timestamp, write_json
from bench.servers import Peer, Target, check_answer, install, missing, peers, sciatica_select


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, help="seconds per run (default 5, --quick 2)")
    parser.add_argument("--connections", default="1,16", help="comma-separated (default 1,16)")
    parser.add_argument("--cycles", type=int, default=2, help="passes over every server; best one counts")
    parser.add_argument("--quick", action="store_true", help="2 s runs and a shorter warm-up")
    parser.add_argument("--only", help="comma-separated servers: self, oxigraph, rdflib, hello")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--no-install", action="store_true", help="never install wrk or a peer")
    args = parser.parse_args(argv)
    args.duration = args.duration or (2.0 if args.quick else 5.0)
    args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    every = peers(sciatica_select())
    chosen = [n.strip() for n in args.only.split(",")] if args.only else list(every)
    unknown = sorted(set(chosen) - set(every))
    if unknown:
        raise SystemExit(f"bench: unknown server(s) {', '.join(unknown)}; choose from {', '.join(every)}")
    client = choose_client(args.client, may_install=not args.no_install)
    stamp = timestamp()
    load_before = load_average()
    if warning := busy_warning(load_before):
        print(warning, file=sys.stderr)
    status: dict[str, dict[str, object]] = {}
    runs: list[dict[str, object]] = []
    try:
        with servers_stopped_on_exit() as started, tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            live = _start_all([every[n] for n in chosen], started, Path(scratch), status, args, stamp)
            targets = _checked_targets(live, status)
            for target, base in targets:
                warm_up(base, target.path, target.accept, 0.3 if args.quick else 1.0)
            for cycle in range(1, args.cycles + 1):
                for target, base in targets:
                    for connections in args.connections:
                        result = run_load(
                            base + target.path,
                            client=client,
                            connections=connections,
                            duration_s=args.duration,
                            headers={"Accept": target.accept},
                        )
                        runs.append(
                            {
                                "server": target.server,
                                "target": target.name,
                                "cycle": cycle,
                                **result.as_dict(),
                            }
                        )
                        _progress(cycle, args.cycles, target, result)
                        live[target.server][0].trim_log()
            for name, server in live.items():
                status[name]["rss_mb"] = rss_mb(server[0].pid)
    except KeyboardInterrupt:
        print("\nbench: interrupted; every server was stopped", file=sys.stderr)
        return 130
    best = best_of(runs)
    ratios = compute_ratios(best, args.connections)
    print(render_results(best, status))
    print()
    print(render_ratios(ratios))
    path = write_json(
        "peers",
        stamp,
        {
            "kind": "peers",
            "stamp": stamp,
            "settings": {k: v for k, v in vars(args).items()},
            "environment": {**environment(client), "load_average_before": load_before},
            "servers": status,
            "runs": runs,
            "best": best,
            "ratios": ratios,
        },
    )
    print(f"\nresults: {path.relative_to(ROOT)}")
    return 0


def _start_all(
    chosen: list[Peer],
    started: list[Server],
    scratch: Path,
    status: dict[str, dict[str, object]],
    args: argparse.Namespace,
    stamp: str,
) -> dict[str, tuple[Server, Peer, str]]:
    """Start every chosen server; one that cannot start is reported and left out, the others go on."""
    live: dict[str, tuple[Server, Peer, str]] = {}
    for peer in chosen:
        status[peer.name] = {"title": peer.title}
        if missing(peer) and peer.pip and not args.no_install:
            install(peer)
        gone = missing(peer)
        if gone:
            status[peer.name]["error"] = f"not installed: {', '.join(gone)} (pip install {peer.pip})"
            print(f"bench: skipping {peer.name}: {status[peer.name]['error']}", file=sys.stderr)
            continue
        port = free_port()
        try:
            if peer.prepare:
                peer.prepare(scratch)
            server = Server(
                peer.name,
                pinned(peer.command(port, scratch), SERVER_CORE),
                log=OUT / "logs" / f"{peer.name}-{stamp}.log",
                env=peer.env,
                cwd=ROOT,
            )
            started.append(server.start())
            base = f"http://127.0.0.1:{port}"
            status[peer.name]["startup_s"] = round(
                server.wait_ready(
                    base + peer.ready_path, timeout_s=peer.startup_timeout_s, any_status=peer.ready_any_status
                ),
                2,
            )
        except (ServerFailed, RuntimeError, OSError) as exc:
            status[peer.name]["error"] = str(exc)
            print(f"bench: {peer.name} did not start: {exc}", file=sys.stderr)
            continue
        live[peer.name] = (server, peer, base)
        print(f"bench: {peer.title} ready on {base} in {status[peer.name]['startup_s']} s", file=sys.stderr)
    return live


def _checked_targets(
    live: dict[str, tuple[Server, Peer, str]], status: dict[str, dict[str, object]]
) -> list[tuple[Target, str]]:
    """Targets whose answer is right; a wrong or missing one is reported, never measured."""
    checked: list[tuple[Target, str]] = []
    for name, (_server, peer, base) in live.items():
        answers: dict[str, str] = {}
        for target in peer.targets:
            url = base + target.path.replace(VARY, str(VARY_BASE))
            try:
                answers[target.name] = check_answer(target.kind, *http_get(url, {"Accept": target.accept}))
            except (ValueError, KeyError, OSError) as exc:
                answers[target.name] = f"not measured: {exc}"
                print(f"bench: {name} {target.name} not measured: {exc}", file=sys.stderr)
                continue
            checked.append((target, base))
        status[name]["answers"] = answers
    return checked


def _progress(cycle: int, cycles: int, target: Target, result: LoadResult) -> None:
    print(
        f"  cycle {cycle}/{cycles}  {target.server:<8} {target.name:<15} c={result.connections:<3}"
        f" {result.rps:>9,.0f} req/s  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:7.2f} ms"
        + (
            f"  errors {result.non_2xx + result.socket_errors}"
            if result.non_2xx or result.socket_errors
            else ""
        ),
        file=sys.stderr,
    )


if __name__ == "__main__":
    sys.exit(main())
