"""How a named query answers: which format (Accept, else `format=`), the SPARQL protocol's own parameters
that SPARQL clients add to the URL, and a SELECT's rows in the format chosen.

The `Accept` header chooses when it names one of the formats by its own media type; `format=` (or
`output=` / `results=`, its names in other SPARQL clients) chooses otherwise, as the query pages' download
links do from a browser that names none. SPARQLWrapper sends both (`format=json` with
`Accept: application/sparql-results+json`), and gets what its header asks for.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.responses import Response

from api.fast_json import RowsJSON
from api.negotiation import NotAcceptable, choose, named_in_accept
from kg.adhoc.formats import (
    ALIASES,
    GRAPH_FORMATS,
    NAMED_ROW_FORMATS,
    NAMED_ROW_RENAMES,
    ROWS,
    serialize_result,
)
from kg.catalogue import NamedQuery
from kg.catalogue.params import ParamError
from kg.terms import QueryResult

FORMAT_PARAMS = ("format", "output", "results")
"""The format override by its names: `format` (ours, Virtuoso's), `output` and `results` (SPARQLWrapper
sends all three)."""
QUERY_PARAM = "query"
"""The SPARQL protocol's query text: a named query runs its own, so it is taken only when empty."""
PROTOCOL_PARAMS = (*FORMAT_PARAMS, QUERY_PARAM)
TRUNCATED_HEADER = "X-Row-Cap-Truncated"


def offers_for(query: NamedQuery) -> dict[str, str]:
    return NAMED_ROW_FORMATS if query.form == "SELECT" else GRAPH_FORMATS


def check_params(query: NamedQuery, given: Iterable[tuple[str, str]]) -> None:
    """Every parameter is one of the query's, or a SPARQL protocol parameter it can honour (422 if not)."""
    own = {p.name for p in query.params}
    for key, value in given:
        if key == QUERY_PARAM and value.strip() and key not in own:
            raise ParamError(
                key,
                f"'{query.name}' runs its own SPARQL and takes no query text; send your own query to "
                "/sparql, or leave query empty",
            )
    unknown = sorted({key for key, _ in given} - own - set(PROTOCOL_PARAMS))
    if unknown:
        accepted = ", ".join(sorted(own)) or "none"
        raise ParamError(unknown[0], f"not a parameter of '{query.name}' (it takes: {accepted})")


def negotiate(query: NamedQuery, accept: str | None, given: list[tuple[str, str]]) -> str:
    """The key of the format to answer in: Accept naming one of ours, else the override, else by Accept."""
    offers = offers_for(query)
    rows = query.form == "SELECT"
    override = _override(given)
    chosen = _override_key(override, offers, rows) if override else None
    named = named_in_accept(accept, offers)
    if named is not None:
        return named
    if chosen is not None:
        return chosen
    # Aliases are off for rows: a browser's `application/xml;q=0.9` would otherwise win SPARQL XML over JSON.
    return choose(accept, offers, aliases=not rows)


def _override(given: list[tuple[str, str]]) -> str | None:
    for name in FORMAT_PARAMS:
        values = [value.strip() for key, value in given if key == name and value.strip()]
        if values:
            return values[-1]
    return None


def _override_key(value: str, offers: dict[str, str], rows: bool) -> str:
    wanted = value.lower()
    by_media = {media: key for key, media in offers.items()}
    if wanted in by_media:
        return by_media[wanted]
    if rows:
        wanted = NAMED_ROW_RENAMES.get(wanted, wanted)
        if wanted in offers:
            return wanted
        wanted = ALIASES.get(wanted, wanted)
        if wanted in offers and wanted != ROWS:
            return wanted
        raise NotAcceptable(
            f"format '{value[:100]}' is not available here; choose one of: json (this service's rows), "
            "srj, srx, csv, tsv, or a media type: " + ", ".join(offers.values())
        )
    return choose(None, offers, override=value)


def rows_response(result: QueryResult, body: dict[str, object], fmt: str) -> Response:
    """The rows in the chosen format: the service's JSON (`body`), or a SPARQL 1.1 results document.
    A result cut at the row cap says so in a header in every format (the standard ones have no place)."""
    response: Response
    if fmt == ROWS:
        response = RowsJSON(body)
    else:
        content, media_type = serialize_result(result, fmt)
        response = Response(content, media_type=media_type)
    if result.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
    return response
