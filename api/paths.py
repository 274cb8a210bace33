"""The service's URL areas in one table: how /metrics groups each, whether its errors are JSON whatever the
client accepts, and whether the response cache may keep its answers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    prefix: str
    api: bool
    """Read by programs: errors are JSON even for a browser (an HTML error page elsewhere)."""
    cacheable: bool
    """Its answers depend only on the graph and the request, so the response cache may keep them."""


AREAS = (
    Area("/api/queries", api=True, cacheable=True),
    Area("/api/ask", api=True, cacheable=True),
    Area("/api/vocabulary", api=True, cacheable=True),
    Area("/sparql", api=True, cacheable=True),
    Area("/resource", api=False, cacheable=True),
    Area("/queries", api=False, cacheable=True),
    Area("/ask", api=False, cacheable=True),
    Area("/compare", api=False, cacheable=True),
    Area("/mcp", api=True, cacheable=False),
    Area("/healthz", api=True, cacheable=False),
    Area("/metrics", api=False, cacheable=False),
    Area("/docs", api=False, cacheable=False),
    Area("/static", api=False, cacheable=False),
    Area("/openapi.json", api=True, cacheable=False),
)
HOME = Area("/", api=False, cacheable=True)


_BY_PREFIX = {area.prefix: area for area in AREAS}
assert all(area.prefix.count("/") <= 2 for area in AREAS), "area_of looks up one or two segments"


def area_of(path: str) -> Area | None:
    """The area a path belongs to (the home page is its own); None for a path outside them all. Two dict
    lookups (the path's first two segments, then its first), as every request asks twice."""
    if path == "/":
        return HOME
    if not path.startswith("/"):
        return None
    parts = path.split("/", 3)
    if len(parts) > 2:
        found = _BY_PREFIX.get(f"/{parts[1]}/{parts[2]}")
        if found is not None:
            return found
    return _BY_PREFIX.get("/" + parts[1])
