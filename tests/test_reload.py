"""Reload: a valid edit is served whole, a broken one leaves the last good graph serving and says why."""

from __future__ import annotations

import time
import weakref
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg import DEFAULT_SHAPES
from kg.settings import Settings


def _settings(folder: Path, **more: object) -> Settings:
    """The service on a private copy of the files, reloaded only when a test says so."""
    return Settings(
        ontology=folder / "needling.ttl",
        queries=folder / "queries",
        shapes=DEFAULT_SHAPES,
        watch=False,
        **more,
    )


@pytest.fixture
def served(graph_copy: Path):
    with TestClient(create_app(_settings(graph_copy))) as client:
        yield client, graph_copy


def _reload(client: TestClient) -> bool:
    return client.app.state.reloader.reload_now()  # type: ignore[attr-defined]


def _ask(client: TestClient, question: str) -> dict:
    return client.get("/api/ask", params={"q": question}).json()


def test_valid_edit_is_served_with_a_new_version(served) -> None:
    client, folder = served
    before = client.get("/healthz").json()
    etag = client.get("/api/queries/cost_of_modality").headers["etag"]
    assert not _ask(client, "what treats leg nerve pain")["answered"]
    assert client.get("/api/queries/label_search", params={"text": "leg nerve"}).json()["rows"] == []
    with (folder / "needling.ttl").open("a") as handle:
        handle.write('\nnkg:sciatica skos:altLabel "leg nerve pain"@en .\n')
    assert _reload(client)
    after = client.get("/healthz").json()
    assert after["version"] != before["version"] and after["triples"] == before["triples"] + 1
    assert client.get("/api/queries/cost_of_modality").headers["etag"] != etag
    labels = {a["label"] for a in _ask(client, "what treats leg nerve pain")["answers"]}
    assert labels == {"Dry needling", "Acupuncture"}
    found = client.get("/api/queries/label_search", params={"text": "leg nerve"}).json()["rows"]
    assert {row["entity"] for row in found} == {"https://needling-kg.example.org/kg/sciatica"}


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ('\nnkg:broken skos:prefLabel "unterminated .\n', "syntax"),
        ("\nnkg:dry-needling-price <http://schema.org/minPrice> 999 .\n", "price"),
    ],
    ids=["bad-turtle", "shape-violation"],
)
def test_broken_graph_keeps_the_last_good_one(served, edit: str, why: str) -> None:
    client, folder = served
    before = client.get("/healthz").json()
    with (folder / "needling.ttl").open("a") as handle:
        handle.write(edit)
    assert not _reload(client)
    health = client.get("/healthz").json()
    assert health["version"] == before["version"]
    assert why in health["last_reload_error"].lower()
    costs = {a["label"]: a["cost"]["min"] for a in _ask(client, "how much is dry needling")["answers"]}
    assert costs == {"Dry needling": 50}


def test_broken_query_file_keeps_the_last_good_catalogue(served) -> None:
    client, folder = served
    (folder / "queries" / "cost_of_modality.rq").write_text("# title: broken\nSELECT WHERE {")
    assert not _reload(client)
    assert "cost_of_modality" in client.get("/healthz").json()["last_reload_error"]
    assert client.get("/api/queries/cost_of_modality").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/compare",
        "/ask?q=what+treats+sciatica",
        "/queries/origin_of_modality?modality=dry-needling&run=1",
    ],
)
def test_a_cached_page_shows_an_edit_after_reload(served, path: str) -> None:
    client, folder = served
    stats = client.app.state.runtime.cache_stats  # type: ignore[attr-defined]
    first = client.get(path)
    assert first.status_code == 200 and ">Dry needling<" in first.text
    assert client.get(path).text == first.text  # asked for again: kept
    hits = stats.hits
    assert client.get(path).text == first.text
    assert stats.hits == hits + 1, "the page was not served from the cache"
    ontology = folder / "needling.ttl"
    ontology.write_text(ontology.read_text().replace('"Dry needling"@en', '"Dry-needle therapy"@en'))
    assert _reload(client)
    after = client.get(path)
    assert after.status_code == 200
    assert ">Dry-needle therapy<" in after.text and ">Dry needling<" not in after.text


def test_a_reload_frees_the_old_graph(graph_copy: Path) -> None:
    """The graph a reload replaces is freed once its queries' deadline has passed, though what was loaded at
    start-up is kept out of the collector's sight (api/heap.py): memory does not grow with every edit."""
    with TestClient(create_app(_settings(graph_copy, deadline_s=0.2))) as client:
        assert client.get("/api/ask", params={"q": "what treats sciatica"}).json()["answered"]
        old = weakref.ref(client.app.state.runtime.snapshot.graph)  # type: ignore[attr-defined]
        with (graph_copy / "needling.ttl").open("a") as handle:
            handle.write('\nnkg:sciatica skos:altLabel "leg nerve pain"@en .\n')
        assert _reload(client)
        assert client.get("/api/ask", params={"q": "what treats leg nerve pain"}).json()["answered"]
        deadline = time.monotonic() + 15
        while old() is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert old() is None, "the replaced graph is still in memory"
