"""What the question answering adds to a loaded graph: its memory, and its startup.

Each figure comes from a fresh process (`python -m bench.qa_footprint --child [--trace]`), so that nothing an
earlier measurement built (the answerer, the label index, kept answers) is counted or reused. In it, the
graph is opened (`open_graph`), then the answerer is built (`answerer_for`) and answers one question:

- startup: the seconds of that build and first answer; the median of `--runs` processes;
- RSS added: resident memory after it minus before (VmRSS; Python seldom hands memory back to the system,
  so this is close to the build's peak); the median of the same processes;
- tracemalloc peak: the most Python memory allocated at once during it, traced from just after the graph
  was opened, in a process of its own, since tracing slows the build several times over and is never timed.

    python -m bench.qa_footprint [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc

from bench import ROOT
from bench.inprocess import proc_status_mb
from bench.report import render_table, verdict
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES
from kg.engine import open_graph
from kg.settings import Settings

FIRST_QUESTION = "what treats sciatica, and at what cost?"
TARGET_MEMORY_MB = 150.0
TARGET_STARTUP_S = 2.0
MB = 1024 * 1024


def child(trace: bool) -> dict[str, float]:
    """In this process: open the graph, import the question answering, then build the answerer and answer
    once, measured. The import is shown apart: it is paid once per process, not per graph."""
    graph = open_graph(Settings(ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES))
    opened = proc_status_mb("VmRSS") or 0.0
    started = time.perf_counter()
    from kg.qa import answer_question
    from kg.qa.answering import answerer_for

    figures = {"import_s": time.perf_counter() - started}
    gc.collect()
    before = proc_status_mb("VmRSS") or 0.0
    figures |= {"rss_opened_mb": opened, "rss_import_mb": before - opened, "rss_before_mb": before}
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    answerer_for(graph)
    answer_question(graph, FIRST_QUESTION)
    figures["startup_s"] = time.perf_counter() - started
    figures["rss_added_mb"] = (proc_status_mb("VmRSS") or 0.0) - before
    if trace:
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures |= {"traced_kept_mb": kept / MB, "traced_peak_mb": peak / MB}
    return figures


def measure(runs: int) -> dict[str, float]:
    """The medians of `runs` untraced processes, and one traced process's tracemalloc figures."""
    plain = [_in_a_fresh_process(trace=False) for _ in range(runs)]
    traced = _in_a_fresh_process(trace=True)
    figures = {key: statistics.median(run[key] for run in plain) for key in plain[0]}
    figures |= {key: traced[key] for key in ("traced_kept_mb", "traced_peak_mb")}
    figures["startup_max_s"] = max(run["startup_s"] for run in plain)
    return figures


def _in_a_fresh_process(trace: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.qa_footprint", "--child", *(["--trace"] if trace else [])]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def targets(figures: dict[str, float]) -> list[tuple[str, float, str, str]]:
    """(what, measured, limit, verdict) for the memory and startup targets."""
    return [
        (
            "answerer memory: RSS added (MB)",
            figures["rss_added_mb"],
            f"< {TARGET_MEMORY_MB:g}",
            verdict(figures["rss_added_mb"], TARGET_MEMORY_MB, higher_is_better=False),
        ),
        (
            "answerer memory: tracemalloc peak (MB)",
            figures["traced_peak_mb"],
            f"< {TARGET_MEMORY_MB:g}",
            verdict(figures["traced_peak_mb"], TARGET_MEMORY_MB, higher_is_better=False),
        ),
        (
            "startup: answerer + first answer (s)",
            figures["startup_s"],
            f"< {TARGET_STARTUP_S:g}",
            verdict(figures["startup_s"], TARGET_STARTUP_S, higher_is_better=False),
        ),
    ]


def report(figures: dict[str, float], runs: int) -> str:
    lines = [
        f"fresh processes, median of {runs} (tracemalloc: one more, traced): graph open at "
        f"{figures['rss_opened_mb']:.0f} MB RSS; importing kg.qa +{figures['rss_import_mb']:.1f} MB, "
        f"{figures['import_s'] * 1000:.0f} ms (once per process, not counted below)",
        f"building the answerer and answering once: +{figures['rss_added_mb']:.1f} MB RSS, tracemalloc peak "
        f"{figures['traced_peak_mb']:.1f} MB ({figures['traced_kept_mb']:.1f} MB kept), "
        f"{figures['startup_s'] * 1000:.0f} ms (slowest {figures['startup_max_s'] * 1000:.0f} ms)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes timed for startup and RSS")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.trace)))
        return 0
    figures = measure(args.runs)
    print(report(figures, args.runs))
    print()
    print(render_table(("target", "measured", "limit", "verdict"), targets(figures), right=(1,)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
