"""Errors as clients see them: JSON {"error": {"code", "message"}} or an HTML page, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.engine import UnknownQuery
from kg.params import ParamError

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
    503: "Unavailable",
}


class ApiError(Exception):
    """A failure with a status, a short machine code and a message meant for a person."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_html(request):
        from api.pages import render_error_page

        return render_error_page(request, status, _TITLES.get(status, "Error"), message)
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    api_path = request.url.path.startswith(("/api/", "/sparql", "/healthz", "/openapi"))
    return "text/html" in accept and not api_path


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(request, exc.status, exc.code, exc.message)

    async def param_error(request: Request, exc: Exception) -> Response:
        return error_response(request, 422, "invalid_parameter", str(exc))

    async def unknown_query(request: Request, exc: Exception) -> Response:
        return error_response(request, 404, "unknown_query", str(exc))

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
            message = f"nothing here: {request.url.path}"
        return error_response(
            request, exc.status_code, _TITLES.get(exc.status_code, "error").lower().replace(" ", "_"), message
        )

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(
            request, 500, "internal_error", "the server failed to answer; the error was logged"
        )

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(ParamError, param_error)
    app.add_exception_handler(UnknownQuery, unknown_query)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
