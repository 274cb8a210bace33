"""What a side-by-side run concludes: the best cycle of each run, the ratios against issue 6's targets, tables."""

from __future__ import annotations

from dataclasses import dataclass

from bench.report import render_table, verdict

TARGET_CONNECTIONS = 16


@dataclass(frozen=True)
class Ratio:
    label: str
    over: tuple[str, str]
    under: tuple[str, str]
    target: float


RATIOS = (
    Ratio("named query / Oxigraph", ("self", "named"), ("oxigraph", "sparql"), 1.5),
    Ratio("named query / hello-world", ("self", "named"), ("hello", "hello"), 0.7),
    Ratio("/api/ask / rdflib-endpoint", ("self", "ask"), ("rdflib", "sparql"), 2.0),
    Ratio("/sparql repeated / rdflib-endpoint", ("self", "sparql"), ("rdflib", "sparql"), 3.0),
    Ratio("/sparql varying / rdflib-endpoint", ("self", "sparql-varying"), ("rdflib", "sparql"), 1.5),
    Ratio("/sparql varying / rdflib varying", ("self", "sparql-varying"), ("rdflib", "sparql-varying"), 1.5),
    # Issue 18: the paths no cache can help, against Oxigraph server answering the same texts.
    Ratio(
        "/sparql varying / Oxigraph varying", ("self", "sparql-varying"), ("oxigraph", "sparql-varying"), 0.8
    ),
    Ratio(
        "named varying / Oxigraph (same SPARQL)",
        ("self", "named-varying"),
        ("oxigraph", "named-varying"),
        1.0,
    ),
)
P50_TARGETS_MS = {
    ("self", "sparql"): 2.0,
    ("self", "sparql-varying"): 0.8,
    ("oxigraph", "sparql-varying"): None,
}
"""One connection's median: issue 6's ceiling for a repeated query, issue 18's for a varying one; Oxigraph's
own median on the varying texts is shown beside it, with no verdict."""


def best_of(runs: list[dict[str, object]]) -> list[dict[str, object]]:
    """Per server, target and connection count: the cycle with the most requests/s, and every cycle's figure."""
    groups: dict[tuple[object, object, object], list[dict[str, object]]] = {}
    for run in runs:
        groups.setdefault((run["server"], run["target"], run["connections"]), []).append(run)
    best = []
    for group in groups.values():
        top = max(group, key=lambda r: float(r["rps"]))  # type: ignore[arg-type]
        best.append({**top, "rps_cycles": [round(float(r["rps"]), 1) for r in group]})  # type: ignore[arg-type]
    return best


def _find(best: list[dict[str, object]], key: tuple[str, str], connections: int) -> dict[str, object] | None:
    return next(
        (b for b in best if (b["server"], b["target"]) == key and b["connections"] == connections), None
    )


def compute_ratios(best: list[dict[str, object]], connections: list[int]) -> list[dict[str, object]]:
    """Each ratio at each connection count; the issue's targets apply at 16 connections."""
    ratios: list[dict[str, object]] = []
    for ratio in RATIOS:
        for conns in connections:
            over, under = _find(best, ratio.over, conns), _find(best, ratio.under, conns)
            value = float(over["rps"]) / float(under["rps"]) if over and under and under["rps"] else None  # type: ignore[arg-type]
            target = ratio.target if conns == TARGET_CONNECTIONS else None
            ratios.append(
                {
                    "label": ratio.label,
                    "connections": conns,
                    "value": value,
                    "target": target,
                    "verdict": verdict(value, target, higher_is_better=True),
                }
            )
    for (server, name), target in P50_TARGETS_MS.items():
        one = _find(best, (server, name), 1)
        value = float(one["p50_ms"]) if one else None  # type: ignore[arg-type]
        who = "" if server == "self" else "Oxigraph "
        ratios.append(
            {
                "label": f"{who}/{name.replace('-', ' ')} p50 ms, 1 connection",
                "connections": 1,
                "value": value,
                "target": target,
                "verdict": verdict(value, target, higher_is_better=False),
            }
        )
    return ratios


def render_results(best: list[dict[str, object]], status: dict[str, dict[str, object]]) -> str:
    rows = []
    for b in best:
        answers = status.get(str(b["server"]), {}).get("answers", {})
        errors = int(b["non_2xx"]) + int(b["socket_errors"])  # type: ignore[call-overload]
        rows.append(
            [
                b["server"],
                b["target"],
                b["connections"],
                float(b["rps"]),  # type: ignore[arg-type]
                " / ".join(f"{x:,.0f}" for x in b["rps_cycles"]),  # type: ignore[attr-defined]
                b["p50_ms"],
                b["p99_ms"],
                errors,
                answers.get(str(b["target"]), ""),
            ]
        )  # type: ignore[union-attr]
    lines = [
        render_table(
            [
                "server",
                "target",
                "conns",
                "req/s (best)",
                "req/s per cycle",
                "p50 ms",
                "p99 ms",
                "errors",
                "answer",
            ],
            rows,
            right=(2, 3, 4, 5, 6, 7),
        )
    ]
    for name, info in status.items():
        note = (
            info.get("error") or f"started in {info.get('startup_s')} s, RSS {info.get('rss_mb') or 0:.0f} MB"
        )
        lines.append(f"  {name}: {info['title']}: {note}")
    return "\n".join(lines)


def render_ratios(ratios: list[dict[str, object]]) -> str:
    rows = [[r["label"], r["connections"], r["value"], r["target"], r["verdict"]] for r in ratios]
    return render_table(["ratio", "conns", "value", "target", "verdict"], rows, right=(1, 2, 3))
