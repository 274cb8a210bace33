"""Run one ad-hoc read query in this process (the command line); the HTTP layer uses the sandbox instead."""

from __future__ import annotations

import itertools
import time

from kg.engine import DEFAULT_ROW_CAP
from kg.guard import check_query
from kg.store import GraphStore
from kg.terms import QueryResult


def run_adhoc(store: GraphStore, text: str, *, row_cap: int = DEFAULT_ROW_CAP) -> QueryResult | bool | bytes:
    """Guard the text, then run exactly the guarded text: rows for SELECT, a boolean for ASK, Turtle otherwise."""
    guarded = check_query(text)
    if guarded.form == "ASK":
        return store.ask(guarded.text)
    if guarded.form in ("CONSTRUCT", "DESCRIBE"):
        return store.graph(guarded.text, "text/turtle")
    start = time.perf_counter()
    selected = store.select(guarded.text)
    rows = tuple(itertools.islice(selected.rows, row_cap + 1))
    return QueryResult(
        vars=selected.vars,
        rows=rows[:row_cap],
        truncated=len(rows) > row_cap,
        elapsed_ms=(time.perf_counter() - start) * 1000,
        sparql=guarded.text,
    )
