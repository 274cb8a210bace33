"""GET/POST /sparql: the SPARQL 1.1 Protocol, read-only, every query guarded and run under a deadline.

- A query reaches `/sparql` as `GET ?query=`, as a urlencoded `POST` (`query=`), or as a `POST` with
  `Content-Type: application/sparql-query`. Updates, `default-graph-uri` / `named-graph-uri`, SERVICE,
  FROM / FROM NAMED and LOAD are refused with 400 and a JSON error naming the reason.
- The result format follows `Accept` (with q-values) or a `format=` parameter: json, xml, csv, tsv for
  SELECT / ASK; turtle, ntriples, jsonld, rdfxml for CONSTRUCT / DESCRIBE.
- Results stop at the row cap (`NEEDLING_ROW_CAP`, default 10,000). A capped result says so in the
  response header `X-Row-Cap-Truncated: true`; the standard result formats have no place for it.
- A query that passes the deadline (`NEEDLING_DEADLINE_S`, default 5 s) is stopped and answered 503
  with the error code `timeout`, never with a partial or empty result.
- GET results carry an ETag and `Cache-Control: public`; POST results are `no-store`.
- `GET /sparql` without a query gives the service description for an RDF `Accept` (Turtle for `*/*`)
  and the query page for a browser; any other `Accept` gets 400 `no_query`. A browser (`text/html`
  named first, no `format=`) that sends a query gets the query page with the results as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.caching import etag_for, not_modified, validated
from api.errors import ApiError
from api.negotiation import NotAcceptable, choose, parse_accept
from api.openapi_shapes import error_responses
from api.query_lane import arrival
from api.query_string import query_items
from api.service_description import service_description
from api.sparql_page import render_query_page
from api.state import get_runtime
from kg.adhoc import SandboxResult
from kg.adhoc.formats import GRAPH_FORMATS, SOLUTION_FORMATS, engine_graph_format
from kg.adhoc.guard import GuardedQuery, check_query

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
TRUNCATED_HEADER = "X-Row-Cap-Truncated"
ALL_FORMATS = {**SOLUTION_FORMATS, **GRAPH_FORMATS}
# A GET's query up to this long is guarded on the event loop and its answer awaited there (no lane thread):
# the guard takes 50 us on the bench's 2.3 KB query, 2.3 ms on the worst 4 KB text found, less than the 5 ms a
# guard thread may hold the GIL (so the loop) anyway. Longer texts, POSTs, the browser's page: lane threads.
INLINE_QUERY_CHARS = 4_096
# Clients such as SPARQLWrapper send format=xml / format=json for CONSTRUCT too, meaning RDF/XML and JSON-LD.
GRAPH_OVERRIDES = {"xml": "rdfxml", "json": "jsonld"}


def _query_param(name: str, description: str, **schema: object) -> dict[str, object]:
    return {"name": name, "in": "query", "schema": {"type": "string", **schema}, "description": description}


_FORMAT_PARAM = _query_param(
    "format",
    "Overrides Accept: json, xml, csv, tsv (SELECT, ASK); turtle, ntriples, jsonld, rdfxml (CONSTRUCT, DESCRIBE)",
    enum=list(ALL_FORMATS),
)
_EXAMPLE_QUERY = "PREFIX schema: <http://schema.org/> SELECT ?therapy ?min WHERE { ?therapy schema:offers/schema:priceSpecification/schema:minPrice ?min }"
_QUERY_PARAM = _query_param(
    "query",
    "SELECT, ASK, CONSTRUCT or DESCRIBE; without it, the service description",
    examples=[_EXAMPLE_QUERY],
)
_FORM_SCHEMA = {
    "type": "object",
    "properties": {"query": {"type": "string", "examples": [_EXAMPLE_QUERY]}},
    "required": ["query"],
}
_GET_EXTRA = {"parameters": [_QUERY_PARAM, _FORMAT_PARAM]}
_POST_EXTRA = {
    "parameters": [_FORMAT_PARAM],
    "requestBody": {
        "required": True,
        "content": {
            FORM: {"schema": _FORM_SCHEMA},
            QUERY_BODY: {"schema": {"type": "string", "examples": [_EXAMPLE_QUERY]}},
        },
    },
}
_REFUSALS = ("no_query", "bad_request", "syntax", "escape", "update", "service", "dataset", "form")
_FAILURES = ("too_long", "too_deep", "too_costly", "query_error", "worker_died")
_NOT_NOW = ("timeout", "overloaded", "unavailable", "pool_closed", "store_error")
_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The result, in the negotiated format",
        "content": {media: {} for media in ALL_FORMATS.values()},
    },
    304: {"description": "The client's cached copy (by If-None-Match) is current"},
}
_GET_RESPONSES = {**_OK, **error_responses(*_REFUSALS, *_FAILURES, "not_acceptable", *_NOT_NOW)}
_POST_RESPONSES = {
    200: _OK[200],
    **error_responses(
        *_REFUSALS, *_FAILURES, "not_acceptable", "too_large", "unsupported_media_type", *_NOT_NOW
    ),
}

router = APIRouter(tags=["SPARQL"])


@dataclass(frozen=True)
class ProtocolRequest:
    """The protocol parameters of one request, whether from the URL, a form body or a query body."""

    query: str | None
    format: str | None


@router.get(
    "/sparql",
    summary="SPARQL query (GET)",
    description="SPARQL 1.1 Protocol query via GET. Without `query`: the service description "
    "(RDF Accept) or the query page (browser).",
    responses=_GET_RESPONSES,
    response_class=Response,
    openapi_extra=_GET_EXTRA,
)
async def sparql_get(request: Request) -> Response:
    # Only cheap checks here; everything that blocks runs on a thread, a query on the query lane's own.
    protocol = _collect(query_items(request.scope["query_string"]))  # the query's text: fast (see there)
    if protocol.query is None:
        return await run_in_threadpool(_without_query, request, protocol.format)
    lane = get_runtime(request).lane
    if len(protocol.query) <= INLINE_QUERY_CHARS and not _wants_page(request, protocol):
        return await lane.run_here(_answer_here, request, protocol)
    return await lane.run(_get_with_query, request, protocol)


def _wants_page(request: Request, protocol: ProtocolRequest) -> bool:
    """A browser (text/html named first, no `format=`) gets the results as a table on the query page."""
    return (
        not protocol.format and _first_match(_named(request), {"html": "text/html", **ALL_FORMATS}) == "html"
    )


def _get_with_query(request: Request, protocol: ProtocolRequest) -> Response:
    if _wants_page(request, protocol):
        return _query_page(request, protocol.query or "")
    return _answer(request, protocol, cacheable=True)


async def _answer_here(request: Request, protocol: ProtocolRequest) -> Response:
    """`_answer` for a GET on the event loop: the guard is quick on a short text, and the worker is awaited."""
    runtime = get_runtime(request)
    snapshot = runtime.snapshot
    guarded, fmt = _guard_and_negotiate(request, protocol, runtime.settings.max_query_chars)
    max_age = runtime.settings.cache_max_age_s
    etag = etag_for(request, snapshot.graph, f"{fmt}|{guarded.text}")
    if not_modified(request, etag):
        return validated(request, Response(status_code=304), etag, max_age)
    result = await snapshot.runner().run_async(guarded, fmt, started=arrival(request))
    return validated(request, _present(result), etag, max_age)


@router.post(
    "/sparql",
    summary="SPARQL query (POST)",
    description="SPARQL 1.1 Protocol query via urlencoded POST (`query=`) or an `application/sparql-query` "
    "body. Updates are refused.",
    responses=_POST_RESPONSES,
    response_class=Response,
    openapi_extra=_POST_EXTRA,
)
async def sparql_post(request: Request) -> Response:
    # Only the body is read here; everything that blocks runs on the query lane's threads.
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == UPDATE_BODY:
        raise _read_only()
    if media not in (FORM, QUERY_BODY):
        raise ApiError(
            "unsupported_media_type",
            f"send the query as {FORM} (query=...) or as {QUERY_BODY}; got {media or 'no Content-Type'}",
        )
    runtime = get_runtime(request)
    runtime.lane.admit()  # refused before a body is read, when the lane is full
    body = await _read_body(request, runtime.settings.max_body_bytes)
    return await runtime.lane.run(_answer_post, request, media, body)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, up to `limit` bytes: a larger one is refused before (or while) it arrives."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError("bad_request", "the Content-Length header is not a number")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _answer_post(request: Request, media: str, body: bytes) -> Response:
    try:
        text = body.decode("utf-8")
        url_items = request.query_params.multi_items()
        if media == FORM:
            protocol = _collect(url_items + parse_qsl(text, keep_blank_values=True, errors="strict"))
        else:
            protocol = _collect(url_items, body_query=text)
    except UnicodeDecodeError:
        raise ApiError("bad_request", "the request body is not valid UTF-8") from None
    if protocol.query is None:
        raise _no_query()
    return _answer(request, protocol, cacheable=False)


def _collect(items: list[tuple[str, str]], body_query: str | None = None) -> ProtocolRequest:
    """Check the protocol parameters: one query, no update, no dataset selection."""
    names = {name for name, _ in items}
    if "update" in names:
        raise _read_only()
    for name in DATASET_PARAMS:
        if name in names:
            raise ApiError("dataset", f"the query may not choose its dataset here ({name} is not accepted)")
    queries = [value for name, value in items if name == "query"]
    if body_query is not None:
        queries.append(body_query)
    if len(queries) > 1:
        raise ApiError("bad_request", f"give exactly one query; this request has {len(queries)}")
    formats = [value for name, value in items if name == "format"]
    return ProtocolRequest(queries[0] if queries else None, formats[-1] if formats else None)


def _answer(request: Request, protocol: ProtocolRequest, *, cacheable: bool) -> Response:
    """Guard -> negotiate -> (304 if current) -> run exactly the guarded text -> present."""
    runtime = get_runtime(request)
    snapshot = runtime.snapshot
    guarded, fmt = _guard_and_negotiate(request, protocol, runtime.settings.max_query_chars)
    arrived = arrival(request)
    if not cacheable:
        response = _present(snapshot.runner().run(guarded, fmt, started=arrived))
        response.headers.update({"Cache-Control": "no-store", "Vary": "Accept"})
        return response
    max_age = runtime.settings.cache_max_age_s
    etag = etag_for(request, snapshot.graph, f"{fmt}|{guarded.text}")
    if not_modified(request, etag):
        return validated(request, Response(status_code=304), etag, max_age)
    return validated(request, _present(snapshot.runner().run(guarded, fmt, started=arrived)), etag, max_age)


def _guard_and_negotiate(
    request: Request, protocol: ProtocolRequest, max_length: int
) -> tuple[GuardedQuery, str]:
    """The guarded text, and the result format its form and the request ask for."""
    guarded = check_query(protocol.query or "", max_length=max_length)
    if guarded.form in ("SELECT", "ASK"):
        return guarded, _negotiate(request, SOLUTION_FORMATS, protocol.format)
    override = GRAPH_OVERRIDES.get((protocol.format or "").lower(), protocol.format)
    return guarded, _negotiate(request, GRAPH_FORMATS, override)


def _negotiate(request: Request, offers: dict[str, str], override: str | None) -> str:
    return choose(request.headers.get("accept"), offers, override=override)


def _present(result: SandboxResult) -> Response:
    """The runner's answer as it came (its failures raised: they answer by their codes)."""
    response = Response(result.body, media_type=result.media_type)
    if result.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
    return response


def _without_query(request: Request, override: str | None) -> Response:
    """No query: the service description for RDF (and for `*/*`), the query page for a browser."""
    offers = {**GRAPH_FORMATS, "html": "text/html"}
    key = _description_format(request, offers, override)
    if key == "html":
        return _query_page(request, None)
    triples = get_runtime(request).snapshot.graph.store.triples
    body = service_description(_endpoint(request), triples, engine_graph_format(key))
    # It names the URL the client used (host included), which caches keyed by path alone would mix up.
    return Response(
        body, media_type=GRAPH_FORMATS[key], headers={"Cache-Control": "no-store", "Vary": "Accept"}
    )


def _description_format(request: Request, offers: dict[str, str], override: str | None) -> str:
    # Only explicitly named media types count: a client asking for JSON results with no query made a
    # mistake that a `*/*;q=0.1` fallback should not hide.
    if override:
        try:
            return choose(None, offers, override=override)
        except NotAcceptable:
            raise _no_query() from None
    named = _named(request)
    if not named:
        return "turtle"
    key = _first_match(named, offers)
    if key is None:
        raise _no_query()
    return key


def _named(request: Request) -> list[str]:
    """The media types the client names (no wildcards), most preferred first."""
    accept = request.headers.get("accept")
    return [p.media_type for p in parse_accept(accept) if p.q > 0 and "*" not in p.media_type]


def _first_match(named: list[str], offers: dict[str, str]) -> str | None:
    for media in named:
        try:
            return choose(media, offers)
        except NotAcceptable:
            continue
    return None


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _query_page(request: Request, query: str | None) -> Response:
    """The browser's page at /sparql: the editor, and the results as a table when there is a query."""
    runtime = get_runtime(request)
    return render_query_page(
        runtime.snapshot,
        query,
        runtime.settings.max_query_chars,
        arrival(request),
        editor_script=request.app.state.editor_script,
    )


def _read_only() -> ApiError:
    return ApiError("update", "this endpoint is read-only: SPARQL Update is not accepted")


def _no_query() -> ApiError:
    return ApiError(
        "no_query",
        "no query given: send query=... (GET or urlencoded POST) or an application/sparql-query body",
    )


def _too_large(limit: int) -> ApiError:
    return ApiError("too_large", f"the request body is larger than the limit of {limit:,} bytes")
