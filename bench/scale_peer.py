"""bench.scale's measurements over HTTP: one target loaded the bench's way, and Oxigraph server on the same
graph answering the texts of the service's two cache-miss targets (issue 18), with the ratios."""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from bench import OUT
from bench.load import VARY, VARY_BASE, run_load, warm_up
from bench.procs import SERVER_CORE, Server, free_port, http_get, pinned, rss_mb
from bench.report import render_table
from bench.servers import check_answer, missing, peers, sciatica_select

VS_OXIGRAPH = {"uncached": ("sparql-varying", 0.8), "named-varying": ("named-varying", 1.0)}
"""Issue 18: this service's cache-miss target, Oxigraph server's target on the same texts, the floor."""


def load_target(
    base: str, target: str, accept: str, kind: str, client: str, args: argparse.Namespace
) -> dict[str, object]:
    """Check one answer, warm up, then load the target `args.cycles` times; the best run counts."""
    try:
        answer = check_answer(
            kind, *http_get(base + target.replace(VARY, str(VARY_BASE)), {"Accept": accept})
        )
    except (ValueError, KeyError, OSError) as exc:
        return {"error": f"not measured: {exc}"}
    warm_up(base, target, accept, 1.0)
    runs = [
        run_load(
            base + target, client=client, connections=args.connections, duration_s=args.duration,
            headers={"Accept": accept},
        ).as_dict()
        for _ in range(args.cycles)
    ]  # fmt: skip
    best = max(runs, key=lambda r: float(r["rps"]))  # type: ignore[arg-type]
    return {"answer": answer, "best": best, "rps_cycles": [round(float(r["rps"]), 1) for r in runs]}  # type: ignore[arg-type]


def measure_oxigraph(
    label: str, path: Path, client: str, args: argparse.Namespace, started: list[Server], stamp: str
) -> dict[str, object]:
    """Oxigraph server on the same graph, started as `bench.peers` starts it (`bench/servers.py`) and pinned
    as the service is, answering the texts the service's two cache-miss targets run: the varying /sparql
    texts, and the price query bound to the same varying values."""
    peer = peers(sciatica_select(), path)["oxigraph"]
    if missing(peer):
        return {"error": f"not measured: the oxigraph command is missing (pip install '{peer.pip}')"}
    targets = {t.name: t for t in peer.targets if t.name in ("sparql-varying", "named-varying")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-oxigraph-") as scratch:
        folder = Path(scratch)
        try:
            if peer.prepare:
                peer.prepare(folder)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return {"error": f"not measured: {exc}"}
        server = Server(
            f"oxigraph-{label}",
            pinned(peer.command(port, folder), SERVER_CORE),
            log=OUT / "logs" / f"scale-oxigraph-{label}-{stamp}.log",
        )
        started.append(server.start())
        try:
            ready = server.wait_ready(
                base + peer.ready_path, timeout_s=peer.startup_timeout_s, any_status=peer.ready_any_status
            )
            out["ready_s"] = round(ready, 2)
            out["rss_mb"] = rss_mb(server.pid)
            for name, target in targets.items():
                out[name] = load_target(base, target.path, target.accept, target.kind, client, args)
        except Exception as exc:  # reported; the other graphs are still measured
            out["error"] = f"{exc.__class__.__name__}: {exc}"
        finally:
            server.stop()
            started.remove(server)
    return out


def vs_oxigraph(row: dict[str, object], ours: str) -> float | None:
    theirs = VS_OXIGRAPH[ours][0]
    peer = row.get("oxigraph") or {}
    measured = peer.get(theirs) if isinstance(peer, dict) else None
    best = measured.get("best") if isinstance(measured, dict) else None
    mine = rps_of(row, ours)
    return round(mine / float(best["rps"]), 2) if mine and isinstance(best, dict) and best["rps"] else None


def render_vs_oxigraph(results: list[dict[str, object]]) -> str:
    """Issue 18 at every size: requests/s of the cache-miss targets against Oxigraph server's on the same
    texts, at the same connections, the server pinned to the same core."""
    rows = []
    for row in results:
        peer: dict[str, object] = row.get("oxigraph") or {}  # type: ignore[assignment]
        line: list[object] = [row["graph"]]
        for ours, (theirs, _floor) in VS_OXIGRAPH.items():
            measured = peer.get(theirs)
            best = measured.get("best") if isinstance(measured, dict) else None
            line += [
                rps_of(row, ours),
                best.get("rps") if isinstance(best, dict) else None,
                vs_oxigraph(row, ours),
            ]
        rows.append(line)
    headers = ["graph", "/sparql varying req/s", "Oxigraph req/s", "ratio (0.8)",
               "named varying req/s", "Oxigraph req/s", "ratio (1.0)"]  # fmt: skip
    return render_table(headers, rows, right=tuple(range(1, len(headers))))


def http_of(row: dict[str, object]) -> dict[str, object]:
    return row.get("http") or {}  # type: ignore[return-value]


def rps_of(row: dict[str, object], target: str = "named") -> float | None:
    measured = http_of(row).get(target)
    best = measured.get("best") if isinstance(measured, dict) else None
    return float(best["rps"]) if isinstance(best, dict) else None
