"""The figures of a mixed-load run and its verdict: latencies per kind of request, percentiles, and
whether normal traffic stayed correct and fast while the abuser only got timeouts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.report import render_table

Figures = dict[str, Any]
NORMAL_KINDS = ("ask", "named", "sparql", "page")
ABUSER = "abuser"
OVERALL = "overall"
P99_LIMIT_MS = 1000.0


@dataclass
class KindStats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def fail(self, reason: str) -> None:
        self.errors += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def figures(stats: KindStats, window_s: float) -> Figures:
    lat = sorted(stats.latencies)
    return {
        "requests": len(lat),
        "errors": stats.errors,
        "rps": round(len(lat) / window_s, 1) if window_s else 0.0,
        "p50_ms": round(percentile(lat, 50) * 1000, 2),
        "p90_ms": round(percentile(lat, 90) * 1000, 2),
        "p99_ms": round(percentile(lat, 99) * 1000, 2),
        "max_ms": round((lat[-1] if lat else 0.0) * 1000, 2),
        "reasons": dict(sorted(stats.reasons.items(), key=lambda item: -item[1])[:5]),
    }


def summarize(stats: dict[str, KindStats], window_s: float) -> dict[str, Figures]:
    """Figures per kind (req/s over the load window), plus `overall` for the normal traffic together (the abuser is apart)."""
    rows = {kind: figures(stats[kind], window_s) for kind in NORMAL_KINDS}
    normal = KindStats()
    for kind in NORMAL_KINDS:
        normal.latencies += stats[kind].latencies
        normal.errors += stats[kind].errors
        for reason, count in stats[kind].reasons.items():
            normal.reasons[reason] = normal.reasons.get(reason, 0) + count
    rows[OVERALL] = figures(normal, window_s)
    rows[ABUSER] = figures(stats[ABUSER], window_s)
    return rows


def verdict(rows: dict[str, Figures], healthy_after: bool = True) -> list[tuple[str, bool, str]]:
    """The pass criteria: (criterion, held?, the figure behind it)."""
    overall, abuser = rows[OVERALL], rows[ABUSER]
    p99 = float(overall["p99_ms"])
    timeouts = int(abuser["requests"]) - int(abuser["errors"])
    return [
        (
            "zero errors in normal traffic",
            overall["errors"] == 0 and int(overall["requests"]) > 0,
            f"{overall['errors']} errors in {overall['requests']} requests",
        ),
        (f"normal traffic p99 under {P99_LIMIT_MS:.0f} ms", p99 < P99_LIMIT_MS, f"p99 {p99:.1f} ms"),
        (
            "the abuser gets 503 timeouts only (no 200, no hang)",
            abuser["errors"] == 0 and timeouts > 0,
            f"{timeouts} timeouts, {abuser['errors']} other answers",
        ),
        ("the service is healthy afterwards", healthy_after, "/healthz 200" if healthy_after else "no"),
    ]


def render(rows: dict[str, Figures], checks: list[tuple[str, bool, str]]) -> str:
    headers = ["kind", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"]
    keys = ["requests", "errors", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms"]
    order = [*NORMAL_KINDS, OVERALL, ABUSER]
    table = render_table(headers, [[kind, *(rows[kind][k] for k in keys)] for kind in order], range(1, 8))
    lines = [table, ""]
    for kind in order:
        for reason, count in dict(rows[kind]["reasons"]).items():
            lines.append(f"  {kind}: {count} x {reason}")
    lines += [f"{'PASS' if ok else 'FAIL'}  {name}: {detail}" for name, ok, detail in checks]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the service
