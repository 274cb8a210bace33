"""One candidate in a fresh process: `python -m bench.qalib.worker PART NAME WORKLOAD.json [--repeat N]`.

Prints one JSON object: load time and resident memory added by importing and loading the candidate (the
baseline is taken after the workload is read, so only the candidate's own cost counts), its scores and
latencies, and every network attempt made from Python (refused; any at all is a failure).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.qalib import lemmas, meaning, spelling
from bench.qalib.probe import NetworkGuard, rss_mb

PARTS = {"spelling": spelling.CANDIDATES, "lemmas": lemmas.CANDIDATES, "meaning": meaning.CANDIDATES}


def load(part: str, name: str, work: dict[str, Any]) -> Any:
    factory = PARTS[part][name][1]
    if part == "spelling":
        return factory(work["vocabulary"])
    if part == "meaning":
        return factory([text for _, text in work["documents"]])
    return factory()


def score(part: str, candidate: Any, work: dict[str, Any], repeat: int) -> dict[str, Any]:
    if part == "spelling":
        return spelling.evaluate(candidate, work, repeat)
    if part == "meaning":
        return meaning.evaluate(candidate, work, repeat)
    return lemmas.evaluate(candidate, work["lemmas"], repeat)


def run(part: str, name: str, workload: Path, repeat: int) -> dict[str, Any]:
    guard = NetworkGuard().install()
    work = json.loads(workload.read_text(encoding="utf-8"))
    gc.collect()
    before = rss_mb()
    modules = set(sys.modules)
    start = time.perf_counter()
    candidate = load(part, name, work)
    load_s = time.perf_counter() - start
    gc.collect()
    after = rss_mb()
    added = sorted({module.partition(".")[0] for module in set(sys.modules) - modules})
    result = score(part, candidate, work, repeat)
    return {
        "part": part,
        "name": name,
        "label": PARTS[part][name][0],
        "load_s": load_s,
        "rss_before_mb": before,
        "rss_delta_mb": after - before,
        "imported": added,
        "network_attempts": guard.attempts,
        "result": result,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qalib.worker", description=__doc__)
    parser.add_argument("part", choices=sorted(PARTS))
    parser.add_argument("name")
    parser.add_argument("workload", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.name not in PARTS[args.part]:
        parser.error(f"no candidate {args.name!r} in {args.part}; there are {', '.join(PARTS[args.part])}")
    print(json.dumps(run(args.part, args.name, args.workload, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
