"""The busiest GET paths found by one dictionary lookup, in front of FastAPI's router.

FastAPI 0.165 finds a route by trying each in turn, and a route of an included router twice (once to pick
the router, once inside it), at 3-7 us a try: a named query, whose router comes after seven others and
whose route may be the last of the catalogue's 28, spent about 150 us a request being found. This route
sits first in the app's list and answers a GET of an exact path it knows with the app that route would run;
any other request (another method, a path with a parameter in it, a root path) goes on to the routes as
before. It is not an `APIRoute`, so /openapi.json does not list it: the routes it stands in front of are
still there, and describe the operations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(frozen=True)
class HotPath:
    endpoint: Callable[..., Any]
    app: ASGIApp
    """What answers the request: the route's own app, or `direct(endpoint)`."""


def direct(endpoint: Callable[[Request], Awaitable[Response]]) -> ASGIApp:
    """The app of an `async def` endpoint that takes only the request and returns a Response: what
    FastAPI's handler does for it, without the dependency step that has nothing to check (about 40 us).
    Errors go to the app's exception handlers as from any route."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    return app


def route_paths(routes: Iterable[BaseRoute]) -> dict[str, HotPath]:
    """The GET routes among `routes` with a fixed path, each answered by its own app (parameters checked
    and errors given exactly as when FastAPI's router finds it)."""
    return {
        route.path: HotPath(route.endpoint, route.app)
        for route in routes
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()) and "{" not in route.path
    }


class HotPaths(BaseRoute):
    """Match.FULL for a GET of a known path; nothing else (the routes behind it answer the rest)."""

    def __init__(self, paths: dict[str, HotPath]) -> None:
        self.paths = paths

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            found = self.paths.get(scope["path"])
            if found is not None:
                return Match.FULL, {"endpoint": found.endpoint, "path_params": {}}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.paths[scope["path"]].app(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)  # URLs are built from the routes it stands in front of
