"""The named queries over HTTP: the catalogue, and one typed operation per query file."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.caching import etag_for, validated
from api.drain import Drain
from api.hot_paths import HotPath, route_paths
from api.named_formats import PROTOCOL_PARAMS, check_params, negotiate, offers_for, rows_response
from api.openapi_shapes import QueryRows, error_responses
from api.plain_params import plain_or_checked
from api.state import get_runtime
from kg.adhoc.formats import GRAPH_FORMATS, NAMED_ROW_FORMATS, ROWS
from kg.catalogue import Catalogue, NamedQuery, Param
from kg.catalogue.params import json_value
from kg.terms import QueryResult

# Decimals stay text until kg.params reads them: a float would turn 0.00001 into 1e-05 and round the rest.
_PYTHON_TYPES: dict[str, type] = {
    "iri": str,
    "string": str,
    "integer": int,
    "decimal": str,
    "boolean": bool,
}
_JSON_TYPES = {"decimal": "number"}
ERROR_RESPONSES = error_responses("unknown_query", "not_acceptable", "invalid_parameter", "store_error")
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "The client's copy (If-None-Match) is current"}
}
_FORMATS_NOTE = (
    "Answers in this service's JSON; by `Accept` as a SPARQL 1.1 results document "
    "(`application/sparql-results+json`, `+xml`, `text/tab-separated-values`) or SPARQL 1.1 CSV "
    "(`text/csv`). When `Accept` names none of them, `format=` chooses (`json`, `srj`, `srx`, `csv`, "
    "`tsv`; also as `output=` or `results=`). An empty `query=`, as SPARQL clients send, is ignored."
)
_GRAPH_NOTE = "Answers in Turtle, N-Triples, JSON-LD or RDF/XML by `Accept` (or `format=`)."
RESULT_EXAMPLE = {
    "vars": ["therapy", "therapyLabel"],
    "rows": [{"therapy": "https://...", "therapyLabel": "..."}],
    "truncated": False,
    "elapsed_ms": 0.4,
    "sparql": "SELECT ...",
}


def catalogue_entry(query: NamedQuery) -> dict[str, object]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "example": p.example,
                "description": p.description,
            }
            for p in query.params
        ],
        "examples": list(query.examples),
        "url": f"/api/queries/{query.name}",
    }


def result_body(result: QueryResult, query: NamedQuery) -> dict[str, object]:
    body: dict[str, object] = {
        "vars": list(result.vars),
        "rows": result.plain_rows(),
        "truncated": result.truncated,
        "elapsed_ms": round(result.elapsed_ms, 3),
        "sparql": result.sparql,
    }
    if query.page:
        limit, offset = query.page
        body["page"] = {
            "limit": result.params.get(limit),
            "offset": result.params.get(offset),
            "next_offset": result.next_offset,
        }
    return body


def next_page_link(request: Request, offset_param: str, next_offset: int | None) -> dict[str, str]:
    """A `Link: <...>; rel="next"` header (RFC 8288), this URL with the next offset, when there is more."""
    if next_offset is None:
        return {}
    url = request.url.include_query_params(**{offset_param: next_offset})
    return {"Link": f'<{url.path}?{url.query}>; rel="next"'}


def run_named(request: Request, name: str, params: dict[str, object]) -> Response:
    """Catalogue lookup -> bind parameters -> run -> present (rows as JSON, SPARQL results or CSV, a graph
    as RDF)."""
    runtime = get_runtime(request)
    graph = runtime.snapshot.graph
    query = graph.query(name)
    given = request.query_params.multi_items()
    fmt = negotiate(query, request.headers.get("accept"), given)
    check_params(query, given)
    values = {key: value for key, value in params.items() if value is not None}
    response: Response
    if query.form != "SELECT":
        media_type = offers_for(query)[fmt]
        triples = graph.construct(name, values, media_type)
        response = Response(triples.body, media_type=media_type)
        next_offset = triples.next_offset
    else:
        result = graph.run(name, values)
        next_offset = result.next_offset
        response = rows_response(result, result_body(result, query), fmt)
    if query.page:
        response.headers.update(next_page_link(request, query.page[1], next_offset))
    etag = etag_for(request, graph, fmt)
    return validated(request, response, etag, runtime.settings.cache_max_age_s)


def build_router(catalogue: Catalogue) -> APIRouter:
    router = APIRouter(prefix="/api/queries", tags=["named queries"])

    @router.get("", summary="The named-query catalogue", responses=error_responses())
    def list_queries(request: Request) -> list[dict[str, object]]:
        return [catalogue_entry(q) for q in get_runtime(request).snapshot.graph.catalogue]

    for query in catalogue:
        router.add_api_route(
            f"/{query.name}",
            _operation(query),
            methods=["GET"],
            name=query.name,
            summary=query.title,
            description=_describe(query),
            responses={200: _success(query), **NOT_MODIFIED, **ERROR_RESPONSES},
            response_class=JSONResponse if query.form == "SELECT" else Response,
        )

    @router.get("/{name}", include_in_schema=False)
    def any_query(request: Request, name: str) -> Response:
        # Queries added by a reload after start-up have no typed operation yet; they still answer here.
        params = {k: v for k, v in request.query_params.items() if k not in PROTOCOL_PARAMS}
        return run_named(request, name, dict(params))

    return router


def hot_paths(catalogue: Catalogue, router: APIRouter, threads: Drain) -> dict[str, HotPath]:
    """The router's fixed GET paths for api/hot_paths.py; a typed operation's plain values are read there
    directly (api/plain_params.py), doubtful ones still by FastAPI."""
    paths = route_paths(router.routes)
    for query in catalogue:
        path = f"{router.prefix}/{query.name}"
        found = paths.get(path)
        if found is not None:
            paths[path] = HotPath(found.endpoint, plain_or_checked(query, run_named, found.app, threads))
    return paths


def _success(query: NamedQuery) -> dict[str, Any]:
    if query.form == "SELECT":
        return {
            "description": "The rows: the service's JSON by default, a SPARQL 1.1 results document or CSV "
            "by Accept",
            "model": QueryRows,
            "content": {
                media: {"example": RESULT_EXAMPLE} if key == ROWS else {}
                for key, media in NAMED_ROW_FORMATS.items()
            },
        }
    return {"description": "The triples", "content": {media: {} for media in GRAPH_FORMATS.values()}}


def _describe(query: NamedQuery) -> str:
    lines = [query.description, ""]
    if query.examples:
        lines += ["Questions it answers: " + "; ".join(f"“{e}”" for e in query.examples), ""]
    lines.append(_FORMATS_NOTE if query.form == "SELECT" else _GRAPH_NOTE)
    return "\n".join(lines)


def _operation(query: NamedQuery) -> Callable[..., Response]:
    """A plain function whose signature declares the query's typed parameters, so OpenAPI shows them."""
    name = query.name

    def operation(request: Request, **params: object) -> Response:
        return run_named(request, name, params)

    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    parameters += [_signature_param(p) for p in query.params]
    operation.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    operation.__name__ = f"query_{name}"
    return operation


def _signature_param(param: Param) -> inspect.Parameter:
    python_type = _PYTHON_TYPES[param.type]
    example = param.example or param.default
    examples = [json_value(param, example)] if example else None
    description = f"{param.description} ({param.type}{', IRI or short name' if param.type == 'iri' else ''})"
    default: object = inspect.Parameter.empty if param.required else json_value(param, param.default)
    # Bounds are shown, not enforced here: kg.params checks them with the same message on every path.
    extra: dict[str, Any] = {"type": _JSON_TYPES[param.type]} if param.type in _JSON_TYPES else {}
    extra |= {
        key: value
        for key, value in (("minimum", param.minimum), ("maximum", param.maximum))
        if value is not None
    }
    text = python_type is str and param.type not in _JSON_TYPES
    value_type: Any = python_type if param.required else python_type | None
    annotation = Annotated[
        value_type,
        Query(
            description=description.strip(),
            examples=examples,
            max_length=500 if text else None,
            json_schema_extra=extra or None,
        ),
    ]
    return inspect.Parameter(
        param.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )
