"""Tests for kg.store.RemoteStore against a real Oxigraph server: the same answers as the embedded store."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from helpers import free_port, graph_of, oxigraph_server

from api.app import create_app
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES, PROJECT_ROOT
from kg.catalogue import NamedQuery, load_catalogue
from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.settings import Settings
from kg.store import RemoteStore, StoreError

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        shutil.which("oxigraph") is None, reason="the oxigraph server (PyPI 'oxigraph') is not installed"
    ),
]

QUESTIONS = [
    "what treats sciatica, and at what cost",
    "which is cheaper, dry needling or acupuncture?",
    "what are the risks of acupuncture",
    "who can perform dry needling",
    "back pain treatments under $75",
    "what is the capital of France",
]
# GROUP_CONCAT joins values in no defined order (SPARQL 1.1, 18.5.1.7), so two engines may join the same
# set differently: "Introduction; Dry Needling" or "Dry Needling; Introduction". Those columns compare as sets.
_GROUP_CONCAT = re.compile(
    r'GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)',
    re.IGNORECASE,
)


CATALOGUE = list(load_catalogue(DEFAULT_QUERIES))
ROW_QUERIES = [q for q in CATALOGUE if q.form == "SELECT"]
GRAPH_QUERIES = [q for q in CATALOGUE if q.form in ("CONSTRUCT", "DESCRIBE")]


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A read-only Oxigraph server with the real ontology, for the whole session."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), "serve-read-only") as url:
        yield url


@pytest.fixture(scope="session")
def remote(endpoint: str) -> Iterator[KnowledgeGraph]:
    graph = graph_of(store=endpoint)
    yield graph
    graph.store.close()


def comparable(query: NamedQuery, rows: list[dict[str, object]]) -> list[str]:
    unordered = {column: separator for separator, column in _GROUP_CONCAT.findall(query.sparql)}
    shown = []
    for row in rows:
        fixed = {
            key: separator.join(sorted(str(value).split(separator)))
            if (separator := unordered.get(key)) and isinstance(value, str)
            else value
            for key, value in row.items()
        }
        shown.append(json.dumps(fixed, sort_keys=True, ensure_ascii=False))
    return sorted(shown)


def test_the_remote_store_sees_the_whole_graph(remote: KnowledgeGraph, graph: KnowledgeGraph) -> None:
    assert isinstance(remote.store, RemoteStore)
    assert remote.store.triples == graph.store.triples
    assert remote.catalogue.version == graph.catalogue.version


@pytest.mark.parametrize("query", ROW_QUERIES, ids=[q.name for q in ROW_QUERIES])
def test_every_named_query_gives_the_same_rows(
    query: NamedQuery, remote: KnowledgeGraph, graph: KnowledgeGraph
) -> None:
    params = {p.name: p.example for p in query.params if p.example}
    here = graph.run(query.name, params)
    there = remote.run(query.name, params)
    assert there.vars == here.vars
    assert there.rows, f"{query.name} gave no rows remotely"
    assert comparable(query, there.plain_rows()) == comparable(query, here.plain_rows())


@pytest.mark.parametrize("query", GRAPH_QUERIES, ids=[q.name for q in GRAPH_QUERIES])
def test_every_graph_query_gives_the_same_triples(
    query: NamedQuery, remote: KnowledgeGraph, graph: KnowledgeGraph
) -> None:
    params = {p.name: p.example for p in query.params if p.example}

    def triples(source: KnowledgeGraph) -> set[tuple[object, object, object]]:
        ntriples = source.construct(query.name, params, "application/n-triples").body
        return {(t.subject, t.predicate, t.object) for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)}

    here = triples(graph)
    assert here
    assert triples(remote) == here


def test_typed_values_survive_the_wire(remote: KnowledgeGraph) -> None:
    rows = remote.run("treatments_for_condition", {"condition": "sciatica"}).rows
    dry = next(row for row in rows if row["therapyLabel"].value == "Dry needling")
    assert dry["minPrice"].to_python() == 50
    assert dry["therapy"].kind == "iri"
    practitioners = remote.run("practitioners_of_modality", {"modality": "dry-needling"}).plain_rows()
    assert {row["licenseRequired"] for row in practitioners} == {True}


def test_ask_and_construct_through_the_remote_store(remote: KnowledgeGraph) -> None:
    nkg = "https://needling-kg.example.org/kg/"
    assert remote.store.ask(f"ASK {{ <{nkg}sciatica> ?p ?o }}") is True
    # migraine is in the graph only as a topic the article is silent on: no treatment is recorded for it
    assert remote.store.ask(f"ASK {{ <{nkg}migraine> <http://schema.org/possibleTreatment> ?t }}") is False
    turtle = remote.store.graph(f"CONSTRUCT {{ <{nkg}sciatica> ?p ?o }} WHERE {{ <{nkg}sciatica> ?p ?o }}")
    assert list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("question", QUESTIONS)
def test_questions_get_the_same_answers(question: str, remote: KnowledgeGraph, graph: KnowledgeGraph) -> None:
    here, there = answer_question(graph, question), answer_question(remote, question)
    assert there["answered"] == here["answered"]
    assert there["text"] == here["text"]
    assert [(a["label"], a.get("cost")) for a in there["answers"]] == [
        (a["label"], a.get("cost")) for a in here["answers"]
    ]


def test_a_remote_store_error_is_one_clear_message(remote: KnowledgeGraph) -> None:
    with pytest.raises(StoreError, match="answered 400"):
        remote.store.select("SELECT ?x WHERE { ?x ")


def test_answers_from_a_store_others_write_to_are_never_kept(tmp_path: Path) -> None:
    """Another client changes the remote graph between two runs of the same query: the second run sees it."""
    with oxigraph_server(tmp_path / "db", "serve") as url:
        graph = graph_of(store=url)
        try:
            params = {"condition": "sciatica"}
            before = [row["therapyLabel"].value for row in graph.run("treatments_for_condition", params).rows]
            assert before == ["Dry needling", "Acupuncture"]
            update = (
                "PREFIX schema: <http://schema.org/> PREFIX nkg: <https://needling-kg.example.org/kg/> "
                "DELETE DATA { nkg:sciatica schema:possibleTreatment nkg:acupuncture }"
            )
            written = httpx.post(url.removesuffix("/query") + "/update", data={"update": update}, timeout=10)
            assert written.status_code in (200, 204), written.text
            after = [row["therapyLabel"].value for row in graph.run("treatments_for_condition", params).rows]
            assert after == ["Dry needling"]
            assert len(graph.results) == 0
        finally:
            graph.store.close()


def test_an_endpoint_that_does_not_answer() -> None:
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout_s=2)


def test_only_http_urls_are_endpoints() -> None:
    with pytest.raises(StoreError, match="http"):
        graph_of(store="file:///etc/passwd")


# --- the HTTP service on a remote store --------------------------------------------------------------


@pytest.fixture(scope="module")
def remote_client(endpoint: str) -> Iterator[TestClient]:
    settings = Settings(
        ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES, shapes=DEFAULT_SHAPES, store=endpoint, watch=False
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_healthz_on_a_remote_store(remote_client: TestClient, client: TestClient) -> None:
    there, here = remote_client.get("/healthz"), client.get("/healthz")
    assert there.status_code == 200
    assert there.json()["status"] == "ok"
    assert there.json()["triples"] == here.json()["triples"]


def test_a_named_query_over_http_on_a_remote_store(remote_client: TestClient, client: TestClient) -> None:
    url = "/api/queries/treatments_for_condition"
    there = remote_client.get(url, params={"condition": "sciatica"})
    here = client.get(url, params={"condition": "sciatica"})
    assert there.status_code == 200
    assert there.json()["vars"] == here.json()["vars"]
    assert there.json()["rows"] == here.json()["rows"]
    assert [row["therapyLabel"] for row in there.json()["rows"]] == ["Dry needling", "Acupuncture"]


def test_ask_over_http_on_a_remote_store(remote_client: TestClient, client: TestClient) -> None:
    there = remote_client.get("/api/ask", params={"q": "what treats sciatica"}).json()
    here = client.get("/api/ask", params={"q": "what treats sciatica"}).json()
    assert there["answered"] is True
    assert there["text"] == here["text"]
    assert [(a["label"], a.get("cost")) for a in there["answers"]] == [
        (a["label"], a.get("cost")) for a in here["answers"]
    ]


def test_the_command_line_on_a_remote_store(endpoint: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "query",
            "treatments_for_condition",
            "condition=sciatica",
            "--format",
            "json",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "NEEDLING_STORE": endpoint},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [(r["therapyLabel"], r["minPrice"]) for r in rows] == [("Dry needling", 50), ("Acupuncture", 70)]


def test_the_server_is_the_one_serving(endpoint: str) -> None:
    """The rows above came over HTTP: the endpoint answers a plain SPARQL protocol request itself."""
    answer = httpx.get(
        endpoint,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 1000
