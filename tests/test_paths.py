"""The URL areas: a path belongs to the area whose prefix it is, or starts with followed by a slash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.paths import AREAS, HOME, Area, area_of

SEGMENTS = [
    "",
    "api",
    "queries",
    "ask",
    "sparql",
    "resource",
    "docs",
    "docs-assets",
    "openapi.json",
    "x",
    "é",
]


def by_rule(path: str) -> Area | None:
    """The rule as the table states it, one area after another."""
    if path == "/":
        return HOME
    return next((a for a in AREAS if path == a.prefix or path.startswith(a.prefix + "/")), None)


@given(
    st.sampled_from(["/", "//", "", "x/"]),
    st.lists(st.sampled_from(SEGMENTS) | st.text(max_size=4), max_size=5),
)
def test_each_path_is_in_the_area_its_prefix_names(start: str, segments: list[str]) -> None:
    path = start + "/".join(segments)
    assert area_of(path) == by_rule(path)


def test_the_areas_of_paths_clients_send() -> None:
    assert area_of("/api/queries/treatments_under_price") == Area("/api/queries", api=True, cacheable=True)
    assert area_of("/sparql").prefix == "/sparql"  # type: ignore[union-attr]
    assert area_of("/sparqlx") is None and area_of("/api") is None and area_of("/api/queriesX") is None
    assert area_of("/docs-assets/swagger.js") is None  # not /docs
    assert area_of("/") is HOME
