"""HTTP validators: an ETag derived from the graph version, Cache-Control, and 304 on If-None-Match."""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response

from kg.engine import KnowledgeGraph


def etag_for(request: Request, graph: KnowledgeGraph, variant: str = "") -> str | None:
    """Same graph, same URL, same representation: same tag; any edit to the graph gives a new one. None for
    a remote store: others write to it without telling us, so no tag of ours could say it is unchanged."""
    if not graph.store.static:
        return None
    # The path and query as the URL gives them, read from the scope: building `request.url` (host, scheme
    # and all) for this cost more than the hash.
    scope = request.scope
    query = scope.get("query_string", b"").decode("latin-1")
    key = f"{graph.version}|{scope['path']}?{query}|{variant}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:24] + '"'


def not_modified(request: Request, etag: str | None) -> bool:
    if etag is None:
        return False
    header = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags or "*" in tags


def validated(request: Request, response: Response, etag: str | None, max_age: int) -> Response:
    """Add the validators to a response, or swap it for a bodiless 304 when the client's copy is current.
    Without a tag (a remote store), nothing downstream may keep the answer either."""
    if etag is None:
        response.headers.update({"Cache-Control": "no-store", "Vary": "Accept"})
        return response
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
