"""Measure the embedded store in this (fresh) process: load time, resident memory, named-query latency.

`python -m bench.inprocess GRAPH.ttl [--runs 20]` prints load progress on stderr and one JSON line on
stdout. Run it in a new process for each graph, so the memory figures belong to that graph alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench import QUERIES

_SLOW_S = 0.5
"""A query slower than this on its first run gets 5 timed runs instead of the full count."""


def proc_status_mb(field: str) -> float | None:
    """VmRSS (resident now) or VmHWM (peak resident) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


def _progress(path: Path):  # type: ignore[no-untyped-def]
    def report(triples: int, done: int, total: int) -> None:
        share = done / total * 100 if total else 100.0
        so_far = f"{triples:,} triples" if triples >= 0 else f"{done / 1e6:.0f} of {total / 1e6:.0f} MB"
        print(
            f"\r  loading {path.name}: {so_far} ({share:.0f}%)",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return report


def timed_runs(call, runs: int) -> tuple[list[float], object]:  # type: ignore[no-untyped-def]
    """First (cold) run, two warm-up runs, then `runs` timed runs (5 if the first was slow); in ms."""
    start = time.perf_counter()
    result = call()
    cold = time.perf_counter() - start
    if cold > _SLOW_S:
        runs = min(runs, 5)
    else:
        call()
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return [cold * 1000, *times], result


def _summary(times: list[float]) -> dict[str, float]:
    cold, timed = times[0], sorted(times[1:])
    return {
        "first_ms": round(cold, 3),
        "median_ms": round(statistics.median(timed), 3),
        "p90_ms": round(timed[min(len(timed) - 1, int(0.9 * len(timed)))], 3),
        "max_ms": round(timed[-1], 3),
        "runs": len(timed),
    }


def measure(path: Path, runs: int) -> dict[str, object]:
    started = time.perf_counter()
    from kg.catalogue import load_catalogue
    from kg.engine import KnowledgeGraph
    from kg.store import EmbeddedStore

    imported = time.perf_counter()
    store = EmbeddedStore.load(path, _progress(path))
    loaded = time.perf_counter()
    print(file=sys.stderr)
    catalogue = load_catalogue(QUERIES)
    graph = KnowledgeGraph(store, catalogue)
    ready = time.perf_counter()
    fresh = KnowledgeGraph(store, catalogue, result_cache_rows=0)  # every run evaluated in the store
    out: dict[str, object] = {
        "graph": str(path),
        "triples": store.triples,
        "import_s": round(imported - started, 3),
        "store_load_s": round(loaded - imported, 3),
        "startup_s": round(ready - imported, 3),
        "rss_after_load_mb": proc_status_mb("VmRSS"),
        "peak_rss_after_load_mb": proc_status_mb("VmHWM"),
    }
    queries = {}
    for named in graph.catalogue:
        params = {p.name: p.example for p in named.params if p.example}
        form = getattr(named, "form", "SELECT")
        if form == "SELECT":
            call = lambda n=named.name, p=params: graph.run(n, p)  # noqa: E731
            afresh = lambda n=named.name, p=params: fresh.run(n, p)  # noqa: E731
        else:  # CONSTRUCT / DESCRIBE answer in an RDF format; Turtle is what a browser of the graph asks for
            call = lambda n=named.name, p=params: graph.construct(n, p, "text/turtle").body  # noqa: E731
            afresh = None  # not kept in memory: every run is evaluated
        try:
            times, result = timed_runs(call, runs)  # the first run fills the cache; the others read it
            evaluated = _summary(timed_runs(afresh, runs)[0]) if afresh else _summary(times)
        except Exception as exc:  # a query that fails is reported, and the others still measured
            queries[named.name] = {"params": params, "error": f"{exc.__class__.__name__}: {exc}"}
            continue
        size = (
            {"bytes": len(result)}
            if isinstance(result, bytes)
            else {"rows": len(result.rows), "truncated": result.truncated}
        )  # type: ignore[attr-defined]
        queries[named.name] = {
            "params": params,
            "form": form,
            **size,
            **_summary(times),
            "evaluated_median_ms": evaluated["median_ms"],  # what the first caller after a (re)load waits
        }
    out["queries"] = queries
    out["ask"] = _measure_ask(graph, runs)
    out["rss_after_queries_mb"] = proc_status_mb("VmRSS")
    out["peak_rss_mb"] = proc_status_mb("VmHWM")
    return out


def _measure_ask(graph, runs: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The sciatica question in-process; the first run builds the question answerer for this graph."""
    try:
        from kg.qa import answer_question

        times, answer = timed_runs(
            lambda: answer_question(graph, "what treats sciatica, and at what cost"), runs
        )
    except Exception as exc:
        return {"error": f"{exc.__class__.__name__}: {exc}"}
    return {"answered": bool(answer.get("answered")), **_summary(times)}  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(measure(args.graph.resolve(), args.runs)))


if __name__ == "__main__":
    main()
