"""Errors as clients see them: JSON {"error": {"code", "message"}} or an HTML page, never a traceback."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from api.paths import area_of
from kg.adhoc.position import position_in
from kg.errors import NeedlingError

log = logging.getLogger("needling.api")

_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid parameter",
    500: "Server error",
    502: "Store error",
    503: "Unavailable",
}
_LOCAL_PATH = re.compile(r"/[^/\\]")
"""A path that no browser reads as another host: not "//host" nor "/\\host"."""
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CLIENT_CLOSED = 499
"""nginx's status for a request whose client went away before it was read: never sent (no one is
listening), but the access log and /metrics count it apart from the server's own failures."""


class ApiError(NeedlingError):
    """A failure of the HTTP request itself, with its code (its status comes from kg.errors.ERRORS) and
    any headers the answer needs (Retry-After, say)."""

    def __init__(self, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, code)
        self.headers = headers or {}


# The codes of a query's own text: their messages may name where in it the problem is.
QUERY_TEXT_CODES = frozenset(
    {"syntax", "escape", "update", "service", "dataset", "form", "too_deep", "query_error"}
)


def error_response(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_html(request):
        from api.templating import render_error_page

        response: Response = render_error_page(request, status, _TITLES.get(status, "Error"), message)
    else:
        detail: dict[str, object] = {"code": code, "message": message}
        position = position_in(message) if code in QUERY_TEXT_CODES else None
        if position is not None:  # an editor marks the place; the message says it for a person
            detail["position"] = position._asdict()
        response = JSONResponse({"error": detail}, status_code=status)
    response.headers.update(headers or {})
    return response


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    area = area_of(request.url.path)
    return "text/html" in accept and not (area is not None and area.api)


def allowed_methods(request: Request) -> str:
    """The methods some route takes at this path (RFC 9110 requires them in a 405's Allow); HEAD with GET,
    which api.request_head answers for every GET route. Each method is tried against the routes, as the
    router itself would match it (FastAPI's included routers do not list their routes' methods)."""
    methods = {
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    }
    if "GET" in methods or not methods:  # no route takes any: a mount (static files), which serves GET
        methods |= {"GET", "HEAD"}
    return ", ".join(sorted(methods))


def _without_trailing_slash(request: Request) -> Response | None:
    """`/compare/` -> 307 to `/compare`, as a relative reference: a Location built from the Host header
    would send the client wherever the request said it was addressed."""
    path = request.url.path
    target = path.rstrip("/")
    if target == path or not _LOCAL_PATH.match(target):
        return None
    scope = {**request.scope, "path": target}
    if all(route.matches(scope)[0] == Match.NONE for route in request.app.router.routes):
        return None
    query = request.url.query
    return RedirectResponse(target + (f"?{query}" if query else ""), 307)


def install_error_handlers(app: FastAPI) -> None:
    async def needling_error(request: Request, exc: Exception) -> Response:
        # Every failure of ours, from any layer, answers by its code: one table gives the status.
        assert isinstance(exc, NeedlingError)
        headers = exc.headers if isinstance(exc, ApiError) else None
        return error_response(request, exc.outcome.status, exc.code, str(exc), headers)

    async def client_closed(request: Request, exc: Exception) -> Response:
        # Nobody is left to read an answer: no traceback, just the access-log line with a status of its own.
        return Response(status_code=CLIENT_CLOSED)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(part) for part in first.get("loc", ()) if part not in ("query", "body", "path")]
        name = where[0] if where else "request"
        reason = str(first.get("msg", "is not valid")).rstrip(".")
        return error_response(request, 422, "invalid_parameter", f"parameter '{name}': {reason}")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            redirect = _without_trailing_slash(request)
            if redirect is not None:
                return redirect
            message = f"nothing here: {request.url.path}"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
            message = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        code = _TITLES.get(exc.status_code, "error").lower().replace(" ", "_")
        return error_response(request, exc.status_code, code, message, headers)

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(
            request, 500, "internal_error", "the server failed to answer; the error was logged"
        )

    app.add_exception_handler(NeedlingError, needling_error)
    app.add_exception_handler(ClientDisconnect, client_closed)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
