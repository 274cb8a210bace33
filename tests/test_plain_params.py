"""A named query's plainly valid parameters are read without FastAPI (api/plain_params.py): every answer,
valid or refused, is the one FastAPI's own check of the typed operation gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.hot_paths import HotPaths
from api.plain_params import plain_params
from kg.catalogue import load_catalogue
from kg.settings import Settings

URLS = [
    "/api/queries/treatments_under_price?max_price=60",
    "/api/queries/treatments_under_price?max_price=100.123456",
    "/api/queries/treatments_under_price?max_price=60&condition=back-pain",
    "/api/queries/treatments_under_price?max_price=60&condition=",
    "/api/queries/treatments_under_price?max_price=",
    "/api/queries/treatments_under_price?max_price=abc",
    "/api/queries/treatments_under_price?max_price=60&max_price=70",
    "/api/queries/treatments_under_price",
    "/api/queries/treatments_under_price?max_price=60&nonsense=1",
    "/api/queries/treatments_under_price?max_price=60&format=csv",
    "/api/queries/treatments_under_price?max_price=60&query=SELECT",
    "/api/queries/treatments_under_price?max_price=60&condition=" + "x" * 501,
    "/api/queries/treatments_under_price?max_price=60&condition=" + "x" * 500,
    "/api/queries/resource_links?resource=dry-needling",
    "/api/queries/resource_links?resource=dry-needling&limit=5&offset=5",
    "/api/queries/resource_links?resource=dry-needling&limit=05",
    "/api/queries/resource_links?resource=dry-needling&limit=-1",
    "/api/queries/resource_links?resource=dry-needling&limit=0",
    "/api/queries/resource_links?resource=dry-needling&limit=1e3",
    "/api/queries/resource_links?resource=dry-needling&limit=+5",
    "/api/queries/resource_links?resource=dry-needling&limit=%205",
    "/api/queries/resource_links?resource=dry-needling&limit=99999999999999999999",
    "/api/queries/resource_links?resource=dry-needling&offset=2000000000",
    "/api/queries/resource_graph?resource=dry-needling&limit=3",
    "/api/queries/label_search?text=needl",
    "/api/queries/label_search?text=%00",
    "/api/queries/compare_modalities",
    "/api/queries/compare_modalities?x=1",
    "/api/queries",
]
ACCEPTS = ["application/json", "text/csv", "text/html", "application/sparql-results+xml"]


@pytest.fixture(scope="module")
def clients(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    checked_app = create_app(settings)
    assert isinstance(checked_app.router.routes[0], HotPaths)
    del checked_app.router.routes[0]  # every request found and checked by FastAPI
    with TestClient(create_app(settings)) as fast, TestClient(checked_app) as checked:
        yield fast, checked


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_same_answer_as_fastapis_check(
    clients: tuple[TestClient, TestClient], url: str, accept: str
) -> None:
    fast, checked = (client.get(url, headers={"Accept": accept}) for client in clients)
    assert fast.status_code == checked.status_code
    assert _comparable(fast.json() if _is_json(fast) else fast.text) == _comparable(
        checked.json() if _is_json(checked) else checked.text
    )
    ignore = {"x-request-id"} | ({"content-length"} if _is_json(fast) else set())  # elapsed_ms differs
    assert {k: v for k, v in fast.headers.items() if k not in ignore} == {
        k: v for k, v in checked.headers.items() if k not in ignore
    }


def _is_json(response: object) -> bool:
    return "json" in getattr(response, "headers", {}).get("content-type", "")


def _comparable(body: object) -> object:
    """The body without the time it took."""
    if isinstance(body, dict):
        return {k: _comparable(v) for k, v in body.items() if k != "elapsed_ms"}
    return body


def test_doubtful_values_are_left_to_fastapi(settings: Settings) -> None:
    price = load_catalogue(settings.queries).get("treatments_under_price")
    links = load_catalogue(settings.queries).get("resource_links")
    assert price is not None and links is not None
    assert plain_params(price, [("max_price", "60")]) == {"max_price": "60", "condition": None}
    assert plain_params(links, [("resource", "x"), ("limit", "7")]) == {
        "resource": "x",
        "limit": 7,
        "offset": 0,
    }
    for items in ([], [("max_price", "")], [("max_price", "1"), ("max_price", "2")]):
        assert plain_params(price, items) is None
    for limit in ("07", "+7", " 7", "7.0", "1e3", "", "x"):
        assert plain_params(links, [("resource", "x"), ("limit", limit)]) is None
