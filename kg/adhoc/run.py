"""Run one ad-hoc read query in this process (the command line); the HTTP layer uses the sandbox instead."""

from __future__ import annotations

from kg.adhoc.guard import check_query
from kg.engine import select_capped
from kg.settings import Settings
from kg.store import GraphStore
from kg.terms import QueryResult


def run_adhoc(store: GraphStore, text: str, settings: Settings) -> QueryResult | bool | bytes:
    """Guard the text, then run exactly the guarded text: rows for SELECT, a boolean for ASK, Turtle otherwise."""
    guarded = check_query(text, max_length=settings.max_query_chars)
    if guarded.form == "ASK":
        return store.ask(guarded.text)
    if guarded.form in ("CONSTRUCT", "DESCRIBE"):
        return store.graph(guarded.text, "text/turtle")
    return select_capped(store, guarded.text, settings.row_cap)
