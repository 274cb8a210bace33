"""What /openapi.json declares beyond the routes' signatures, so a client generator gets a working client:
the error body as one named schema with its codes, each operation's error statuses by the codes it can
answer with (statuses from the one table, kg/errors.py), the named-query rows, and operation ids.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from kg.errors import ERRORS

CONNECTION_CODES = ("request_timeout", "uri_too_long", "header_too_large", "too_many_headers", "overloaded")
"""What `needling serve` answers for any request before the app sees it (api/connection.py)."""
_MEANINGS = {
    "invalid_parameter": "a parameter is missing, unknown or has a wrong value; the message names it",
    "unknown_query": "no named query has that name (a reload removed it)",
    "invalid_resource_name": "not a resource name",
    "no_such_resource": "no resource has that name",
    "not_acceptable": "none of the accepted media types (or `format=`) can be produced",
    "store_error": "the remote SPARQL store failed (only with `--store`)",
    "timeout": "the query passed its deadline",
    "overloaded": "too many requests are running or waiting (or connections are open); see Retry-After",
    "unavailable": "the query workers are not running (starting or stopping)",
    "pool_closed": "the query workers are stopping",
    "too_large": "the request body is over the size limit",
    "unsupported_media_type": "the POST body is neither urlencoded nor application/sparql-query",
    "request_timeout": "the request was not sent in time",
    "uri_too_long": "the request line is over the size limit",
    "header_too_large": "a header, or all of them, over the size limit",
    "too_many_headers": "more than 100 header lines",
}


class ErrorPosition(BaseModel):
    """Where in the query text an error points (escapes such as \\u0041 already decoded)."""

    line: int = Field(description="Line, counted from 1", ge=1)
    column: int = Field(description="Column in characters, counted from 1", ge=1)


class ErrorDetail(BaseModel):
    model_config = ConfigDict(title="ErrorDetail")

    code: str = Field(
        description="What went wrong, one code per kind of failure (kg/errors.py maps each to its status)",
        json_schema_extra={"enum": list(ERRORS)},
    )
    message: str = Field(description="One line for a person: what to change, naming the parameter")
    position: ErrorPosition | None = Field(
        None,
        description="Only for a query refused or failing on its text (`syntax`, `query_error`, `service`, "
        "...) when the message names a place: where in the query, as the guard or the parser saw it",
    )


class Error(BaseModel):
    """Every error answer of the JSON API: `{"error": {"code": ..., "message": ...}}`."""

    error: ErrorDetail


class PageInfo(BaseModel):
    limit: int | None = None
    offset: int | None = None
    next_offset: int | None = Field(None, description="Where the next page starts; null on the last page")


class QueryRows(BaseModel):
    """A named SELECT query's answer in the service's own JSON."""

    vars: list[str] = Field(description="The result variables, in the query's order")
    rows: list[dict[str, Any]] = Field(
        description="One object per row, variable to value: IRIs and text as strings, numbers as numbers; "
        "an unbound variable is absent"
    )
    truncated: bool = Field(description="True when the row cap cut the answer")
    elapsed_ms: float
    sparql: str = Field(description="The query as it ran, parameters bound in a VALUES block")
    page: PageInfo | None = Field(None, description="Only for queries answered a page at a time")


def error_responses(*codes: str, html: bool = False, plain: bool = False) -> dict[int | str, dict[str, Any]]:
    """The error responses of an operation that can answer with `codes`, plus what the connection layer
    answers for any request; each status lists its codes. `html`: a browser gets an HTML error page.
    `plain`: the route's own responses are not JSON, so FastAPI would file the schema under their media
    type; it is referred to by name instead (another route declares it)."""
    by_status: dict[int, list[str]] = {}
    for code in (*codes, *CONNECTION_CODES):
        listed = by_status.setdefault(ERRORS[code].status, [])
        if code not in listed:
            listed.append(code)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, listed in sorted(by_status.items()):
        content: dict[str, Any] = {
            "application/json": {
                "example": {"error": {"code": listed[0], "message": _MEANINGS.get(listed[0], listed[0])}}
            }
        }
        if html:
            content["text/html"] = {"schema": {"type": "string"}}
        if plain:
            content["application/json"]["schema"] = {"$ref": f"#/components/schemas/{Error.__name__}"}
        lines = [f"- `{code}`: {_MEANINGS.get(code, code.replace('_', ' '))}" for code in listed]
        responses[status] = {
            "description": "An error, `error.code` one of:\n" + "\n".join(lines),
            "content": content,
        }
        if not plain:
            responses[status]["model"] = Error
    return responses


def operation_id(route: APIRoute) -> str:
    """The route's own name (`treatments_for_condition`, `ask`, `sparql_get`): what a generated client
    names its function after, in place of FastAPI's path-and-method compound."""
    return route.name
