"""Libraries for reading questions, measured side by side: spelling, lemmas, meaning (intent).

Every candidate runs alone in a fresh process (`bench.qalib.worker`), so its load time and memory are its
own; the workers run with HF_HUB_OFFLINE=1, refuse any network attempt made from Python, and, where
`unshare --net` works (root on Linux), in a network namespace with no way out, so native code cannot
download either. Writes `bench/out/qa_libraries.md` and `bench/out/qa_libraries.json`.

    python -m bench.qa_libraries [--sample N] [--repeat 5] [--rounds 3] [--only spelling,wordllama] [--jobs 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import OUT, ROOT
from bench.qalib import report, workload
from bench.qalib.worker import PARTS
from bench.report import environment, load_average

LIBRARIES = (
    "symspellpy",
    "pyspellchecker",
    "simplemma",
    "lemminflect",
    "wordllama",
    "bm25s",
    "wordfreq",
    "numpy",
)
WORKER_TIMEOUT_S = 900


def network_isolation() -> list[str]:
    """`unshare --net` when it works here: the worker then has only a loopback interface, and it is down."""
    if shutil.which("unshare") is None:
        return []
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    return ["unshare", "--net"] if probe.returncode == 0 else []


def selected(only: str) -> list[tuple[str, str]]:
    """(part, candidate) pairs; `only` (comma-separated part or candidate names) keeps those it names."""
    wanted = {word.strip() for word in only.split(",") if word.strip()}
    pairs = [(part, name) for part, candidates in PARTS.items() for name in candidates]
    unknown = wanted - {part for part, _ in pairs} - {name for _, name in pairs}
    if unknown:
        raise SystemExit(f"bench: no part or candidate {', '.join(sorted(unknown))}; see --help")
    return [(p, n) for p, n in pairs if not wanted or p in wanted or n in wanted]


def run_worker(part: str, name: str, path: Path, repeat: int, prefix: list[str]) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    argv = [
        *prefix,
        sys.executable,
        "-m",
        "bench.qalib.worker",
        part,
        name,
        str(path),
        "--repeat",
        str(repeat),
    ]
    try:
        done = subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return {"part": part, "name": name, "error": f"no answer within {WORKER_TIMEOUT_S} s"}
    if done.returncode != 0:
        return {"part": part, "name": name, "error": done.stderr.strip()[-2000:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def best_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One candidate's rounds as one run: the scores of the first (they do not vary), the least load time,
    the least median of each latency, the median memory. Other work on the machine only ever adds time,
    so the least is the closest to the candidate's own cost."""
    failed = [run for run in rounds if "error" in run]
    if failed:
        return failed[0]
    run = {**rounds[0], "rounds": len(rounds), "result": dict(rounds[0]["result"])}
    run["load_s"] = min(r["load_s"] for r in rounds)
    run["rss_delta_mb"] = statistics.median(r["rss_delta_mb"] for r in rounds)
    run["network_attempts"] = [attempt for r in rounds for attempt in r["network_attempts"]]
    for key in [key for key in run["result"] if key.endswith("latency")]:
        run["result"][key] = min((r["result"][key] for r in rounds), key=lambda figures: figures["median_us"])
    return run


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.qa_libraries", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sample", type=int, default=0, help="cap every test list at N items (0: all)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over each list")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh runs of each candidate; the least time counts"
    )
    parser.add_argument("--only", default="", help="parts or candidate names, comma-separated (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="workers at once (>1 skews latency: smoke runs)")
    parser.add_argument("--out", type=Path, default=OUT)
    return parser.parse_args(argv)


def measure(args: argparse.Namespace, work: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every selected candidate in a worker of its own; the runs, and the facts needed to compare two runs."""
    load_before = load_average()
    path = args.out / "qa-libraries-workload.json"
    path.write_text(json.dumps(work), encoding="utf-8")
    prefix = network_isolation()
    pairs = selected(args.only)
    where = " (unshare --net)" if prefix else ""
    print(f"bench: {len(pairs)} candidates, each in a fresh process{where}", file=sys.stderr)
    rounds: list[list[dict[str, Any]]] = []
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for _ in range(max(1, args.rounds)):
            rounds.append(list(pool.map(lambda pair: run_worker(*pair, path, args.repeat, prefix), pairs)))
    runs = [best_of(list(same)) for same in zip(*rounds, strict=True)]
    env = {
        **environment(),
        "load_average": load_before,
        "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "versions": versions(),
        "isolation": "in a network namespace of its own" if prefix else "no network namespace available",
        "load_average_after": load_average(),
        "sample": args.sample,
        "repeat": args.repeat,
        "rounds": args.rounds,
        "jobs": args.jobs,
    }
    return runs, env


def publish(runs: list[dict[str, Any]], work: dict[str, Any], env: dict[str, Any], out: Path) -> int:
    """Writes the summary and the JSON, prints the summary; 1 when a worker failed or reached out."""
    measured = [run for run in runs if "error" not in run]
    text = report.markdown(measured, work, env)
    summary_path = out / "qa_libraries.md"
    summary_path.write_text(text, encoding="utf-8")
    (out / "qa_libraries.json").write_text(
        json.dumps({"environment": env, "runs": runs}, indent=2, default=str), encoding="utf-8"
    )
    print(text)
    failed = [run for run in runs if "error" in run]
    for run in failed:
        print(f"bench: {run['part']} {run['name']} failed:\n{run['error']}", file=sys.stderr)
    reached = [run["name"] for run in measured if run["network_attempts"]]
    if reached:
        print(f"bench: network attempted by {', '.join(reached)}", file=sys.stderr)
    print(f"results: {summary_path}")
    return 1 if failed or reached else 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    missing = [name for name, version in versions().items() if version is None]
    if missing:
        print(f"bench: not installed: {', '.join(missing)}; pip install -e '.[bench]'", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    work = workload.build(args.sample, args.seed)
    runs, env = measure(args, work)
    return publish(runs, work, env, args.out)


if __name__ == "__main__":
    sys.exit(main())
