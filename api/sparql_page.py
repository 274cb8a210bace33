"""The query page at /sparql for browsers: an editor with prefixes, example queries, results as a table.

The page is a plain form first: it runs with JavaScript off. When the editor bundle was built
(api/static/editor.js, see api/editor_assets.py) the page loads it, and it turns the textarea into an editor
that marks the place an error names (`data-line`, `data-column` on the message), sorts and pages the table.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import Response

from api.state import Snapshot
from api.templating import PREFIXES, render
from kg.adhoc import QueryRefused, QueryTimeout, check_query
from kg.adhoc.position import position_in
from kg.errors import NeedlingError, describe
from kg.store import row_from_json

EDITOR_PREFIXES = ("nkg", "schema", "skos", "rdf", "rdfs", "dcterms", "prov")
STARTER = (
    "SELECT ?modality ?label ?minPrice ?maxPrice WHERE {\n  ?modality a nkg:Modality ; skos:prefLabel ?label ;\n"
    "            schema:offers/schema:priceSpecification [ schema:minPrice ?minPrice ; schema:maxPrice ?maxPrice ] .\n}"
)


def prologue() -> str:
    return "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in EDITOR_PREFIXES)


def render_query_page(
    snapshot: Snapshot,
    query: str | None,
    max_query_chars: int,
    arrived: float | None = None,
    editor_script: str | None = None,
) -> Response:
    """Run the query if there is one (in the sandbox, like any other) and show it with its results.
    `editor_script`: the editor bundle's URL when it was built, else the page stays a plain form."""
    context: dict[str, Any] = {
        "editor_script": editor_script,
        "query": query if query is not None else f"{prologue()}\n\n{STARTER}",
        "examples": [
            {"title": q.title, "name": q.name, "href": "/sparql?" + urlencode({"query": q.sparql})}
            for q in snapshot.graph.catalogue
            if q.form == "SELECT" and not q.params
        ],
        "result": None,
        "boolean": None,
        "error": None,
        "position": None,
        "status": 200,
    }
    if query:
        context.update(_run(snapshot, query, max_query_chars, arrived))
        if context["result"] is not None or context["boolean"] is not None:
            encoded = urlencode({"query": query})
            context["downloads"] = {
                "JSON": f"/sparql?{encoded}&format=json",
                "CSV": f"/sparql?{encoded}&format=csv",
                "TSV": f"/sparql?{encoded}&format=tsv",
            }
            context["share"] = f"/sparql?{encoded}"
    return render("sparql.html", status=context.pop("status"), **context)


def _run(snapshot: Snapshot, query: str, max_query_chars: int, arrived: float | None) -> dict[str, Any]:
    try:
        guarded = check_query(query, max_length=max_query_chars)
    except QueryRefused as exc:
        return {"error": f"Refused: {exc}", "position": position_in(str(exc)), "status": 400}
    if guarded.form not in ("SELECT", "ASK"):
        return {
            "error": "This page shows tables: run CONSTRUCT and DESCRIBE queries with format=turtle, "
            "or through the SPARQL endpoint.",
            "status": 400,
        }
    try:
        body = snapshot.runner().run(guarded, "json", started=arrived).body
    except QueryTimeout as exc:
        return {"error": f"The query took too long and was stopped (timeout): {exc}", "status": 503}
    except NeedlingError as exc:  # the page shows any failure of the query in place, with its status
        return {
            "error": f"The query failed: {describe(exc)}",
            "position": position_in(str(exc)),
            "status": exc.outcome.status,
        }
    data = json.loads(body)
    if "boolean" in data:
        return {"boolean": bool(data["boolean"])}
    names = data.get("head", {}).get("vars", [])
    rows = [row_from_json(binding) for binding in data.get("results", {}).get("bindings", [])]
    return {"result": {"vars": names, "rows": rows}}
