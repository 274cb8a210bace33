"""Question-answering latency in-process: median, p90 and p99 per question set and overall, in ms; then what
the answerer adds to a loaded graph in memory and startup time (bench/qa_footprint.py).

Loads the real graph, warms up (builds the lexicon and cue tables, touches every query once), then answers
every question of four sets many times each: the shared sample file's, our own below, and those of
`tests/qa/dev.json` and `tests/qa/heldout.json`. Of the question files only the `q` of each case is read:
this is a latency bench, and the held-out expectations are never looked at. The targets: a median under
5 ms and a p99 under 25 ms after warm-up; the answerer adds under 150 MB and starts in under 2 s.

    python -m bench.qa_latency [--repeat 20] [--warmup 3] [--footprint-runs 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench import qa_footprint
from bench.report import render_table, verdict
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, PROJECT_ROOT
from kg.engine import KnowledgeGraph, open_graph
from kg.qa import answer_question
from kg.qa.evaluation import percentile
from kg.settings import Settings

SAMPLE_FILE = PROJECT_ROOT.parent / "shared" / "qa" / "questions.json"
QUESTION_FILES = {
    "dev": PROJECT_ROOT / "tests" / "qa" / "dev.json",
    "heldout": PROJECT_ROOT / "tests" / "qa" / "heldout.json",
}
TARGET_MEDIAN_MS = 5.0
TARGET_P99_MS = 25.0
LATENCY_ONLY = ("heldout",)  # sets whose replies are not looked at, not even their kind

# Our own questions, beside the sample file's: typos, synonyms, limits, two steps, refusals.
OWN_QUESTIONS = [
    "what helps siatica",
    "how much is dry neddling",
    "what helps lower back pain",
    "treatments under $60",
    "therapies for less than 75 USD",
    "which is cheapest",
    "compare dry needling and acupuncture",
    "what is the origin of the treatment for plantar fasciitis",
    "how much does the treatment for plantar fasciitis cost",
    "what are the risks of the treatments for sciatica",
    "how does acupuncture work",
    "what is qi",
    "how do I choose between acupuncture and dry needling",
    "can acupuncture cure back pain",
    "asdf qwerty",
    "what is the weather today",
]


def question_sets() -> dict[str, list[str]]:
    """Each set's questions, each once, in file order; a file that is missing leaves its set out."""
    sets: dict[str, list[str]] = {}
    if SAMPLE_FILE.exists():
        sets["sample"] = questions_of(SAMPLE_FILE)
    sets["own"] = list(dict.fromkeys(OWN_QUESTIONS))
    for name, path in QUESTION_FILES.items():
        if path.exists():
            sets[name] = questions_of(path)
    return sets


def questions_of(path: Path) -> list[str]:
    """The `q` of each case of a question file, and nothing else of it."""
    return list(dict.fromkeys(str(case["q"]) for case in json.loads(path.read_text(encoding="utf-8"))))


def kind_of(reply: dict) -> str:
    if not reply["answered"]:
        return "refused"
    steps = reply["interpretation"].get("steps")
    return "two-step" if steps else str(reply["interpretation"]["intent"])


def measure(graph: KnowledgeGraph, asked: list[str], repeat: int, warmup: int) -> dict[str, list[float]]:
    """Each question's times in ms: `warmup` untimed rounds over all of them, then `repeat` timed rounds."""
    for _ in range(warmup):
        for question in asked:
            answer_question(graph, question)
    timings: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeat):
        for question in asked:
            start = time.perf_counter()
            answer_question(graph, question)
            timings[question].append((time.perf_counter() - start) * 1000)
    return timings


def pooled(timings: dict[str, list[float]], groups: dict[str, list[str]]) -> dict[str, list[float]]:
    """The times of each group of questions, one list per group."""
    return {
        name: [ms for question in questions for ms in timings[question]] for name, questions in groups.items()
    }


def latency_table(
    groups: dict[str, list[str]], times: dict[str, list[float]], first: str, verdicts: bool = True
) -> str:
    """One row per group: questions, answers timed, median, p90, p99, max; with `verdicts`, each latency
    target's verdict."""
    headers = [first, "questions", "answers", "median ms", "p90 ms", "p99 ms", "max ms"]
    if verdicts:
        headers += [f"median < {TARGET_MEDIAN_MS:g} ms", f"p99 < {TARGET_P99_MS:g} ms"]
    rows = []
    for name, questions in groups.items():
        values = times[name]
        median, p90, p99 = (percentile(values, f) for f in (0.5, 0.9, 0.99))
        row: list[object] = [name, len(questions), len(values), median, p90, p99, max(values)]
        if verdicts:
            row += [verdict(median, TARGET_MEDIAN_MS, False), verdict(p99, TARGET_P99_MS, False)]
        rows.append(row)
    return render_table(headers, rows, right=range(1, 7))


def kinds(graph: KnowledgeGraph, sets: dict[str, list[str]]) -> dict[str, list[str]]:
    """The questions of each kind of reply, over the sets whose replies may be looked at."""
    found: dict[str, list[str]] = defaultdict(list)
    for question in dict.fromkeys(q for name, qs in sets.items() if name not in LATENCY_ONLY for q in qs):
        found[kind_of(answer_question(graph, question))].append(question)
    return dict(sorted(found.items()))


def latency_targets(overall: list[float]) -> list[tuple[str, float, str, str]]:
    median, p99 = percentile(overall, 0.5), percentile(overall, 0.99)
    return [
        (
            "median, all questions (ms)",
            median,
            f"< {TARGET_MEDIAN_MS:g}",
            verdict(median, TARGET_MEDIAN_MS, False),
        ),
        ("p99, all questions (ms)", p99, f"< {TARGET_P99_MS:g}", verdict(p99, TARGET_P99_MS, False)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20, help="times each question is answered")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds over all questions first")
    parser.add_argument("--footprint-runs", type=int, default=3, help="processes for memory and startup")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.footprint_runs < 1:
        parser.error("--repeat and --footprint-runs must be at least 1")

    start = time.perf_counter()
    graph = open_graph(Settings(ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES))
    load_ms = (time.perf_counter() - start) * 1000
    sets = question_sets()
    asked = list(dict.fromkeys(q for questions in sets.values() for q in questions))
    timings = measure(graph, asked, args.repeat, args.warmup)
    groups = {**sets, "overall": asked}

    by_kind = kinds(graph, sets)
    print(f"graph loaded in {load_ms:.0f} ms")
    print(f"{len(asked)} questions x {args.repeat} runs after {args.warmup} warm-up rounds")
    print()
    print(latency_table(groups, pooled(timings, groups), "set"))
    print()
    shown = ", ".join(name for name in sets if name not in LATENCY_ONLY)
    print(f"by the kind of reply ({shown}; the held-out replies are not looked at):")
    print(latency_table(by_kind, pooled(timings, by_kind), "kind", verdicts=False))
    print()
    figures = qa_footprint.measure(args.footprint_runs)
    print(qa_footprint.report(figures, args.footprint_runs))
    print()
    overall = pooled(timings, {"overall": asked})["overall"]
    rows = [*latency_targets(overall), *qa_footprint.targets(figures)]
    print(render_table(("target", "measured", "limit", "verdict"), rows, right=(1,)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
