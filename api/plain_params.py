"""A named query's parameters read straight from the URL when they are plainly valid, without FastAPI.

FastAPI checks an operation's typed parameters in its dependency step: about 130 us a request for a named
query with two parameters, a quarter of what the event loop spent on it. A value that no check could
refuse needs none of that: text within the length limit, an integer written plainly, `true` or `false`.
When every parameter the query declares is given once, plainly, or has a default, the operation runs
with exactly the values FastAPI would have passed it; anything else (a missing, repeated, empty or
doubtful value) goes to the route's own app, which checks it and words its errors as before. Parameters
the query does not declare are left to `run_named`, as they are after FastAPI's step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from fastapi.responses import Response
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.drain import Drain
from kg.catalogue import NamedQuery, Param
from kg.catalogue.params import json_value

MAX_TEXT = 500
"""The length limit of a text parameter (`max_length` of its typed operation, api/routes/queries.py)."""
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_BOOLEANS = {"true": True, "false": False}
_UNSURE = object()


def _plain_value(param: Param, text: str) -> object:
    if not text:
        return _UNSURE  # FastAPI reads an empty value as no value
    if param.type in ("iri", "string"):
        return text if len(text) <= MAX_TEXT else _UNSURE
    if param.type == "decimal":
        return text  # stays text until kg.params reads it, as in the typed operation
    if param.type == "integer":
        return int(text) if _INTEGER.fullmatch(text) else _UNSURE
    if param.type == "boolean":
        return _BOOLEANS.get(text, _UNSURE)
    return _UNSURE


def plain_params(query: NamedQuery, items: Iterable[tuple[str, str]]) -> dict[str, object] | None:
    """The values the typed operation would be called with, or None when FastAPI must check them."""
    declared = {param.name: param for param in query.params}
    values: dict[str, object] = {}
    for key, text in items:
        param = declared.get(key)
        if param is None:
            continue
        if key in values:
            return None
        value = _plain_value(param, text)
        if value is _UNSURE:
            return None
        values[key] = value
    for param in query.params:
        if param.name not in values:
            if param.required:
                return None
            values[param.name] = json_value(param, param.default)
    return values


def plain_or_checked(
    query: NamedQuery,
    run: Callable[[Request, str, dict[str, object]], Response],
    checked: ASGIApp,
    threads: Drain,
) -> ASGIApp:
    """The app of a named query's GET: `run(request, name, values)` on a thread when the values are plain,
    else `checked` (the route's own app). Errors reach the app's exception handlers either way."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        values = plain_params(query, request.query_params.multi_items())
        if values is None:
            await checked(scope, receive, send)
            return
        response = await threads.run(run, request, query.name, values)
        await response(scope, receive, send)

    return app
