"""Paged named queries: every page together is the whole answer, once; the last page says it is the last."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES
from kg.catalogue import CatalogueError, load_catalogue
from kg.catalogue.params import ParamError
from kg.engine import KnowledgeGraph
from kg.settings import Settings

NKG = "https://needling-kg.example.org/kg/"
HUB_LINKS = 2_600  # more than one page of resource_links (200) and of resource_graph (2,000)


def link_pages(graph: KnowledgeGraph, resource: str, limit: int) -> Iterator[tuple[tuple[str, ...], ...]]:
    offset: int | None = 0
    while offset is not None:
        result = graph.run("resource_links", {"resource": resource, "limit": limit, "offset": offset})
        yield tuple(
            tuple(row[name].value for name in ("direction", "property", "other")) for row in result.rows
        )
        offset = result.next_offset


def triples(ntriples: bytes) -> list[tuple[str, str, str]]:
    parsed = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    return [(str(t.subject), str(t.predicate), str(t.object)) for t in parsed]


@pytest.mark.parametrize("resource", ["dry-needling", "sciatica", "Modality", "article"])
@pytest.mark.parametrize("limit", [1, 3, 7])
def test_pages_of_links_add_up_to_the_whole_list(graph: KnowledgeGraph, resource: str, limit: int) -> None:
    whole = next(link_pages(graph, resource, 2_000))
    pages = list(link_pages(graph, resource, limit))
    assert all(len(page) == limit for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= limit or (whole == () and pages == [()])
    seen = [link for page in pages for link in page]
    assert len(seen) == len(set(seen)), "a link came on two pages"
    assert sorted(seen) == sorted(whole)


def test_each_page_lists_own_links_before_links_pointing_here(graph: KnowledgeGraph) -> None:
    for page in link_pages(graph, "dry-needling", 5):
        directions = [link[0] for link in page]
        assert directions == sorted(directions, reverse=True)


@pytest.mark.parametrize("limit", [1, 10, 45])
def test_pages_of_a_resources_triples_add_up_to_the_whole_graph(graph: KnowledgeGraph, limit: int) -> None:
    whole = triples(
        graph.construct("resource_graph", {"resource": "dry-needling"}, "application/n-triples").body
    )
    seen: list[tuple[str, str, str]] = []
    offset: int | None = 0
    while offset is not None:
        page = graph.construct(
            "resource_graph",
            {"resource": "dry-needling", "limit": limit, "offset": offset},
            "application/n-triples",
        )
        seen += triples(page.body)
        offset = page.next_offset
    assert len(set(whole)) > 45
    # A page counts solutions, and a claim's rdf:subject triple is both the claim's and one pointing here:
    # the pages may repeat a triple, as RDF allows, but together they hold every one.
    assert set(seen) == set(whole)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "limit': must be at least 1"),
        ({"limit": 2_001}, "limit': must be at most 2000"),
        ({"offset": -1}, "offset': must be at least 0"),
        ({"offset": "two"}, "offset': must be a whole number"),
    ],
)
def test_a_page_out_of_range_is_refused_with_its_reason(
    graph: KnowledgeGraph, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ParamError, match=message):
        graph.run("resource_links", {"resource": "dry-needling", **params})


def test_the_api_links_to_the_next_page_until_the_last(client: TestClient) -> None:
    url: str | None = "/api/queries/resource_links?resource=sciatica&limit=2"
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["rows"])
        link = response.headers.get("link")
        assert (body["page"]["next_offset"] is None) == (link is None)
        url = link.split(";")[0].strip("<>") if link else None
    assert [len(rows) for rows in pages[:-1]] == [2] * (len(pages) - 1)
    whole = client.get("/api/queries/resource_links?resource=sciatica").json()
    assert whole["page"] == {"limit": 200, "offset": 0, "next_offset": None}
    assert sum(len(rows) for rows in pages) == len(whole["rows"]) > 2


@pytest.mark.parametrize(("params", "reason"), [("limit=0", "at least 1"), ("offset=-5", "at least 0")])
def test_the_api_refuses_a_page_out_of_range(client: TestClient, params: str, reason: str) -> None:
    response = client.get(f"/api/queries/resource_links?resource=sciatica&{params}")
    assert response.status_code == 422
    assert reason in response.json()["error"]["message"]


def test_the_query_page_offers_the_next_page(client: TestClient) -> None:
    page = client.get("/queries/resource_links?resource=sciatica&limit=2&run=1")
    assert page.status_code == 200
    assert 'rel="next"' in page.text and "offset=2" in page.text
    assert "LIMIT 2 OFFSET 0" in page.text


@pytest.fixture(scope="module")
def hub_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real graph plus a few thousand synthetic offers of dry needling: a hub with pages of links."""
    folder = tmp_path_factory.mktemp("hub")
    ontology = folder / "needling.ttl"
    shutil.copy(DEFAULT_ONTOLOGY, ontology)
    with ontology.open("a", encoding="utf-8") as handle:
        for n in range(HUB_LINKS):
            handle.write(
                f"<{NKG}synthetic/offer-{n}> <http://schema.org/itemOffered> <{NKG}dry-needling> .\n"
            )
    settings = Settings(ontology=ontology, queries=DEFAULT_QUERIES, shapes=DEFAULT_SHAPES, watch=False)
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_hub_page_shows_one_page_of_links_and_a_way_on(hub_client: TestClient) -> None:
    first = hub_client.get("/resource/dry-needling")
    assert first.status_code == 200
    assert "Links 1–200; this resource has more." in first.text
    assert first.text.count('href="/resource/synthetic/offer-') <= 200
    assert 'href="?offset=200" rel="next"' in first.text
    assert first.headers["link"] == '</resource/dry-needling?offset=200>; rel="next"'
    last = hub_client.get(f"/resource/dry-needling?offset={HUB_LINKS}")
    assert last.status_code == 200
    assert "link" not in last.headers
    assert 'href="?offset=0" rel="first"' in last.text


def test_a_hub_as_rdf_comes_in_pages_that_add_up(hub_client: TestClient) -> None:
    url: str | None = "/resource/dry-needling?format=ntriples"
    seen: list[tuple[str, str, str]] = []
    while url:
        response = hub_client.get(url)
        assert response.status_code == 200
        seen += triples(response.content)
        link = response.headers.get("link")
        url = link.split(";")[0].strip("<>") if link else None
    offers = [t for t in seen if t[0].startswith(f"<{NKG}synthetic/offer-")]
    assert len(offers) == len(set(offers)) == HUB_LINKS


def test_a_page_past_the_end_is_empty_not_missing(hub_client: TestClient) -> None:
    response = hub_client.get("/resource/dry-needling?format=ntriples&offset=999999")
    assert response.status_code == 200
    assert response.content.strip() == b""
    assert hub_client.get("/resource/no-such-thing?offset=5").status_code == 404


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("# page: limit offset", "# page: limit"), "must name two params"),
        (("# page: limit offset", "# page: limit skip"), "'skip', which is not a param"),
        (("?otherLabel ?other\n", "?otherLabel ?other\nLIMIT 5\n"), "exactly one 'LIMIT n'"),
        (("    LIMIT 200\n", "    LIMIT 200 OFFSET 3\n"), "must not have an OFFSET"),
        (("default=200 min=1", "min=1"), "optional integer param with a default"),
        (("-- the resource,", "min=2 -- the resource,"), "has min/max but is not an integer"),
    ],
)
def test_a_broken_page_header_names_the_file(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    folder = tmp_path / "queries"
    shutil.copytree(DEFAULT_QUERIES, folder)
    path = folder / "resource_links.rq"
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(CatalogueError, match=message) as raised:
        load_catalogue(folder)
    assert "resource_links.rq" in str(raised.value)


def test_a_page_served_again_from_the_cache_still_links_on(client: TestClient) -> None:
    url = "/api/queries/resource_links?resource=sciatica&limit=2&offset=2"
    first, again = client.get(url), client.get(url)
    assert first.json() == again.json()
    assert first.headers["link"] == again.headers["link"]
    assert (
        again.headers["link"]
        == '</api/queries/resource_links?resource=sciatica&limit=2&offset=4>; rel="next"'
    )


@pytest.mark.parametrize("offset", ["-1", "1000000001", "ten"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_a_resource_page_refuses_an_offset_out_of_range(client: TestClient, offset: str, accept: str) -> None:
    response = client.get(f"/resource/dry-needling?offset={offset}", headers={"Accept": accept})
    assert response.status_code == 422
    assert "offset" in response.text
    assert "Traceback" not in response.text
