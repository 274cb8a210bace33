"""Named queries as pages: the list, and a form per query with its results, downloads and SPARQL."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.routes.pages import entities
from api.state import get_runtime
from api.templating import NKG, render, short
from kg.catalogue import NamedQuery
from kg.catalogue.params import ParamError
from kg.engine import KnowledgeGraph, UnknownQuery
from kg.errors import describe

router = APIRouter(include_in_schema=False)


@router.get("/queries", response_class=HTMLResponse)
def query_list(request: Request) -> Response:
    return render("queries.html", queries=list(get_runtime(request).snapshot.graph.catalogue))


@router.get("/queries/{name}", response_class=HTMLResponse)
def query_page(request: Request, name: str) -> Response:
    graph = get_runtime(request).snapshot.graph
    query = graph.catalogue.get(name)
    if query is None:
        raise UnknownQuery(name, sorted(graph.catalogue.queries))
    given = {p.name: request.query_params[p.name] for p in query.params if request.query_params.get(p.name)}
    ready = "run" in request.query_params or all(p.name in given for p in query.params if p.required)
    result, turtle, error, sparql, next_href = None, None, None, query.sparql, None
    if ready and (given or not any(p.required for p in query.params)):
        try:
            sparql = graph.prepare(name, given).text
            if query.form == "SELECT":
                result = graph.run(name, given)
                next_offset = result.next_offset
            else:
                triples = graph.construct(name, given, "text/turtle")
                turtle, next_offset = triples.body.decode("utf-8"), triples.next_offset
            if query.page and next_offset is not None:
                next_href = "?" + urlencode({**given, query.page[1]: next_offset, "run": 1})
        except ParamError as exc:
            error = str(exc)
        except Exception as exc:  # a failing query is shown on the page, never as a server error
            error = describe(exc)
    return render(
        "query.html",
        query=query,
        given=given,
        result=result,
        turtle=turtle,
        error=error,
        sparql=sparql,
        next_href=next_href,
        options=_options(graph, query),
    )


def _options(graph: KnowledgeGraph, query: NamedQuery) -> dict[str, list[dict[str, str]]]:
    """Choices for IRI parameters of a known class, so a form needs no typing of IRIs."""
    options = {}
    for param in query.params:
        if param.type == "iri" and param.rdf_class and param.rdf_class != "owl:Class":
            options[param.name] = [
                {
                    "value": e["iri"][len(NKG) :] if e["iri"].startswith(NKG) else short(e["iri"]),
                    "label": e["label"],
                }
                for e in entities(graph, param.rdf_class)
            ]
    return options
