"""Run one ad-hoc read query in this process (the command line); the HTTP layer uses the sandbox instead."""

from __future__ import annotations

from kg.engine import DEFAULT_ROW_CAP, select_capped
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
    return select_capped(store, guarded.text, row_cap)
