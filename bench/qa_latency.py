"""Question-answering latency in-process: median, p90 and p99 per kind of question and overall, in ms.

Loads the real graph, warms up (builds the lexicon and cue tables, touches every query once), then
answers a mix of questions (the shared sample file's plus our own) many times each. The target from
the issue: a median under 5 ms after warm-up.

    python -m bench.qa_latency [--repeat 50] [--warmup 3]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict

from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, PROJECT_ROOT
from kg.engine import KnowledgeGraph, open_graph
from kg.qa import answer_question
from kg.settings import Settings

SAMPLE_FILE = PROJECT_ROOT.parent / "shared" / "qa" / "questions.json"
TARGET_MEDIAN_MS = 5.0

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


def questions() -> list[str]:
    sample = []
    if SAMPLE_FILE.exists():
        sample = [case["q"] for case in json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))]
    seen: dict[str, None] = dict.fromkeys(sample + OWN_QUESTIONS)
    return list(seen)


def kind_of(reply: dict) -> str:
    if not reply["answered"]:
        return "refused"
    steps = reply["interpretation"].get("steps")
    return "two-step" if steps else str(reply["interpretation"]["intent"])


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def measure(graph: KnowledgeGraph, asked: list[str], repeat: int, warmup: int) -> dict[str, list[float]]:
    for _ in range(warmup):
        for question in asked:
            answer_question(graph, question)
    kinds = {question: kind_of(answer_question(graph, question)) for question in asked}
    timings: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeat):
        for question in asked:
            start = time.perf_counter()
            answer_question(graph, question)
            elapsed = (time.perf_counter() - start) * 1000
            timings[kinds[question]].append(elapsed)
            timings["overall"].append(elapsed)
    return timings


def report(timings: dict[str, list[float]], counts: dict[str, int]) -> str:
    lines = [f"{'kind':<28}{'questions':>10}{'median':>10}{'p90':>10}{'p99':>10}   (ms)"]
    for kind in [*sorted(k for k in timings if k != "overall"), "overall"]:
        values = timings[kind]
        lines.append(
            f"{kind:<28}{counts.get(kind, sum(counts.values())):>10}"
            f"{percentile(values, 0.5):>10.2f}{percentile(values, 0.9):>10.2f}{percentile(values, 0.99):>10.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=50, help="times each question is answered")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds over all questions first")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    graph = open_graph(Settings(ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES))
    load_ms = (time.perf_counter() - start) * 1000
    asked = questions()
    start = time.perf_counter()
    answer_question(graph, asked[0])
    first_ms = (time.perf_counter() - start) * 1000

    timings = measure(graph, asked, args.repeat, args.warmup)
    counts: dict[str, int] = defaultdict(int)
    for question in asked:
        counts[kind_of(answer_question(graph, question))] += 1

    print(f"graph loaded in {load_ms:.0f} ms; first question (builds the answerer) {first_ms:.1f} ms")
    print(f"{len(asked)} questions x {args.repeat} runs after {args.warmup} warm-up rounds")
    print(report(timings, counts))
    median = percentile(timings["overall"], 0.5)
    verdict = "meets" if median < TARGET_MEDIAN_MS else "misses"
    print(f"overall median {median:.2f} ms {verdict} the {TARGET_MEDIAN_MS:g} ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
