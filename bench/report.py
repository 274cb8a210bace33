"""What the bench prints and keeps: plain-text tables, the machine it ran on, and JSON files in bench/out."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from bench import OUT, ROOT
from bench.procs import pinning_available

PACKAGES = (
    "pyoxigraph",
    "oxigraph",
    "rdflib",
    "rdflib-endpoint",
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """A fixed-width table; the columns whose index is in `right` are right-aligned (numbers)."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [
            v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(value: float | None, limit: float | None, higher_is_better: bool) -> str:
    """'met', or how far off: 'MISSED by 17%' under a floor, 'MISSED: 3.2x the limit' over a ceiling."""
    if value is None:
        return "n/a (not measured)"
    if limit is None:
        return ""
    if higher_is_better:
        return "met" if value >= limit else f"MISSED by {(1 - value / limit) * 100:.0f}%"
    times = value / limit
    return "met" if value < limit else f"MISSED: {times:.{2 if times < 10 else 0}f}x the limit"


def timestamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def write_json(kind: str, stamp: str, data: dict[str, object]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{kind}-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def environment(client: str | None = None) -> dict[str, object]:
    """The facts needed to compare two runs: machine, pinning, versions, and the commit measured."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    info: dict[str, object] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "pinned": "server on core 0, load generator on core 1" if pinning_available() else "not pinned",
        "load_generator": client,
        "load_average": load_average(),
        "packages": versions,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "worktree_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }
    if client == "wrk":
        info["wrk"] = _first_line(["wrk", "-v"])
    return info


def load_average() -> float | None:
    """The 1-minute load average: above ~0.5 before a run, something else is using the cores."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def busy_warning(load: float | None) -> str | None:
    if load is not None and load > 0.5:
        return (
            f"bench: warning: load average {load:.2f} before the run; other work on this machine "
            "competes for the two cores, so figures will be low and noisy"
        )
    return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _git(*args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def _first_line(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=10)
    except OSError:
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else None
