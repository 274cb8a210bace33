"""Render query results for a terminal or a file: an aligned table, CSV or JSON."""

from __future__ import annotations

import json

from kg.adhoc.formats import serialize_result
from kg.terms import QueryResult

_MAX_CELL = 60


def as_json(result: QueryResult) -> str:
    body: dict[str, object] = {
        "vars": list(result.vars),
        "rows": result.plain_rows(),
        "truncated": result.truncated,
        "elapsed_ms": round(result.elapsed_ms, 3),
    }
    if result.next_offset is not None:
        body["next_offset"] = result.next_offset
    return json.dumps(body, indent=2, ensure_ascii=False)


def as_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV, as the service writes it (kg/adhoc/formats.py): each value's lexical form."""
    return serialize_result(result, "csv")[0].decode()


def as_table(result: QueryResult) -> str:
    """Columns aligned for reading; long values cut with an ellipsis; IRIs of our namespace shortened."""
    header = list(result.vars)
    cells = [[_short(row[name].value) if name in row else "" for name in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    footer = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    if result.truncated:
        footer += " (truncated at the row cap)"
    if result.next_offset is not None:
        footer += f" (more: run again with offset={result.next_offset})"
    lines.append(footer + f", {result.elapsed_ms:.1f} ms")
    return "\n".join(lines)


def _short(value: str) -> str:
    for prefix, short in (
        ("https://needling-kg.example.org/kg/", "nkg:"),
        ("http://schema.org/", "schema:"),
    ):
        if value.startswith(prefix):
            value = short + value[len(prefix) :]
            break
    value = " ".join(value.split())
    return value if len(value) <= _MAX_CELL else value[: _MAX_CELL - 1] + "…"


RENDERERS = {"json": as_json, "csv": as_csv, "table": as_table}
