"""Tests for /sparql: the SPARQL 1.1 Protocol slots, formats, negotiation, refusals, limits and deadline."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from helpers import free_port, running_server

from api.app import create_app
from kg import DEFAULT_ONTOLOGY
from kg.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = "PREFIX schema: <http://schema.org/> PREFIX nkg: <https://needling-kg.example.org/kg/> "
PRICE_PATH = "nkg:dry-needling schema:offers/schema:priceSpecification/schema:minPrice ?min"
PRICE_QUERY = PREFIXES + f"SELECT ?min WHERE {{ {PRICE_PATH} }}"
PRICE_CONSTRUCT = PREFIXES + f"CONSTRUCT {{ nkg:dry-needling schema:minPrice ?min }} WHERE {{ {PRICE_PATH} }}"
PRICE_ASK = PREFIXES + f"ASK {{ {PRICE_PATH} FILTER(?min = 50) }}"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORM = "application/x-www-form-urlencoded"

SOLUTION_FORMATS = [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
GRAPH_FORMATS = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
]


# --------------------------------------------------------------------------- helpers


def minimum_prices(body: bytes, fmt: ox.QueryResultsFormat) -> list[str]:
    if fmt == ox.QueryResultsFormat.CSV:  # lossy by design, so pyoxigraph does not parse it
        return [row["min"] for row in csv.DictReader(io.StringIO(body.decode(), newline=""))]
    solutions = ox.parse_query_results(body, format=fmt)
    assert isinstance(solutions, ox.QuerySolutions)
    return [solution["min"].value for solution in solutions]


def error_code(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/json"), response.text
    code: str = response.json()["error"]["code"]
    return code


# --------------------------------------------------------------------------- protocol slots


def test_get_query(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": PRICE_QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert minimum_prices(response.content, ox.QueryResultsFormat.JSON) == ["50"]


def test_urlencoded_post(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": PRICE_QUERY})
    assert response.status_code == 200
    assert minimum_prices(response.content, ox.QueryResultsFormat.JSON) == ["50"]
    assert response.headers["cache-control"] == "no-store"


def test_sparql_query_body_post(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=PRICE_QUERY, headers={"Content-Type": "application/sparql-query; charset=utf-8"}
    )
    assert response.status_code == 200
    assert minimum_prices(response.content, ox.QueryResultsFormat.JSON) == ["50"]


def test_post_with_another_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=PRICE_QUERY, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"


def test_two_queries_in_one_request_are_refused(client: TestClient) -> None:
    response = client.post("/sparql", params={"query": PRICE_QUERY}, data={"query": PRICE_QUERY})
    assert response.status_code == 400
    assert "exactly one query" in response.json()["error"]["message"]


def test_body_that_is_not_utf8_is_400(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=b"SELECT * WHERE { ?s ?p '\xff' }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]["message"]


# --------------------------------------------------------------------------- formats and negotiation


@pytest.mark.parametrize(("media_type", "fmt"), SOLUTION_FORMATS)
def test_each_solution_format_parses_back(
    client: TestClient, media_type: str, fmt: ox.QueryResultsFormat
) -> None:
    response = client.get("/sparql", params={"query": PRICE_QUERY}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert minimum_prices(response.content, fmt) == ["50"]


@pytest.mark.parametrize(("media_type", "fmt"), GRAPH_FORMATS)
def test_each_graph_format_parses_back(client: TestClient, media_type: str, fmt: ox.RdfFormat) -> None:
    response = client.get("/sparql", params={"query": PRICE_CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    triples = list(ox.parse(response.content, format=fmt))
    assert [(t.subject.value, t.object.value) for t in triples] == [
        ("https://needling-kg.example.org/kg/dry-needling", "50")
    ]


def test_construct_defaults_to_turtle(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": PRICE_CONSTRUCT}, headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert "50" in response.text


def test_describe(client: TestClient) -> None:
    query = PREFIXES + "DESCRIBE nkg:dry-needling-price"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert any(t.predicate.value == "http://schema.org/minPrice" and t.object.value == "50" for t in triples)


def test_ask(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": PRICE_ASK})
    assert response.status_code == 200
    assert response.json() == {"head": {}, "boolean": True}
    answer = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    assert isinstance(answer, ox.QueryBoolean) and bool(answer)


def test_q_values_pick_the_preferred_format(client: TestClient) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml"
    response = client.get("/sparql", params={"query": PRICE_QUERY}, headers={"Accept": accept})
    assert response.headers["content-type"] == "application/sparql-results+xml"
    assert minimum_prices(response.content, ox.QueryResultsFormat.XML) == ["50"]


@pytest.mark.parametrize(
    ("query", "fmt", "media_type"),
    [
        (PRICE_QUERY, "csv", "text/csv"),
        (PRICE_QUERY, "tsv", "text/tab-separated-values"),
        (PRICE_QUERY, "xml", "application/sparql-results+xml"),
        (PRICE_CONSTRUCT, "ntriples", "application/n-triples"),
        (PRICE_CONSTRUCT, "jsonld", "application/ld+json"),
        (PRICE_CONSTRUCT, "rdfxml", "application/rdf+xml"),
        (PRICE_CONSTRUCT, "xml", "application/rdf+xml"),
        (PRICE_CONSTRUCT, "json", "application/ld+json"),
    ],
)
def test_format_parameter_overrides_accept(client: TestClient, query: str, fmt: str, media_type: str) -> None:
    response = client.get(
        "/sparql",
        params={"query": query, "format": fmt},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("query", "params", "accept"),
    [
        (PRICE_QUERY, {}, "text/turtle"),
        (PRICE_QUERY, {}, "image/png, application/pdf"),
        (PRICE_CONSTRUCT, {}, "application/sparql-results+json"),
        (PRICE_QUERY, {"format": "turtle"}, "*/*"),
        (PRICE_QUERY, {"format": "yaml"}, "*/*"),
    ],
)
def test_nothing_acceptable_is_406(
    client: TestClient, query: str, params: dict[str, str], accept: str
) -> None:
    response = client.get("/sparql", params={"query": query, **params}, headers={"Accept": accept})
    assert response.status_code == 406
    assert error_code(response) == "not_acceptable"
    assert response.json()["error"]["message"]


# --------------------------------------------------------------------------- no query: description and page


def test_service_description_in_turtle(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)
    triples = client.get("/healthz").json()["triples"]
    ask = f"""PREFIX sd: <{SD}> PREFIX void: <http://rdfs.org/ns/void#>
        ASK {{ ?service a sd:Service ; sd:endpoint <http://testserver/sparql> ;
                  sd:supportedLanguage sd:SPARQL11Query ;
                  sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
                                  <http://www.w3.org/ns/formats/Turtle> ;
                  sd:defaultDataset/sd:defaultGraph/void:triples {triples} .
              FILTER NOT EXISTS {{ ?service sd:feature sd:BasicFederatedQuery }} }}"""
    assert bool(store.query(ask))


@pytest.mark.parametrize(("media_type", "fmt"), GRAPH_FORMATS[1:])
def test_service_description_in_other_rdf_formats(
    client: TestClient, media_type: str, fmt: ox.RdfFormat
) -> None:
    response = client.get("/sparql", headers={"Accept": media_type})
    assert response.headers["content-type"].split(";")[0] == media_type
    endpoints = [
        t.object.value for t in ox.parse(response.content, format=fmt) if t.predicate.value == SD + "endpoint"
    ]
    assert endpoints == ["http://testserver/sparql"]


def test_no_accept_preference_gets_the_description_in_turtle(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert "sparql-service-description" in response.text


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browser_gets_a_query_page(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<form" in response.text and 'name="query"' in response.text


def test_browser_with_a_query_gets_the_results_as_a_table(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": PRICE_QUERY}, headers={"Accept": BROWSER})
    assert response.headers["content-type"].startswith("text/html")
    assert "<table" in response.text and "<td>50</td>" in response.text


def test_browser_download_links_get_data(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": PRICE_QUERY, "format": "csv"}, headers={"Accept": BROWSER}
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert minimum_prices(response.content, ox.QueryResultsFormat.CSV) == ["50"]


def test_any_type_with_a_query_gets_json_results(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": PRICE_QUERY}, headers={"Accept": "*/*"})
    assert response.headers["content-type"] == "application/sparql-results+json"


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/json", "text/csv"])
def test_no_query_for_a_results_client_is_400(client: TestClient, accept: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 400
    assert error_code(response) == "no_query"


def test_post_without_query_is_400(client: TestClient) -> None:
    response = client.post("/sparql", data={"format": "json"})
    assert response.status_code == 400
    assert error_code(response) == "no_query"


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "service"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "dataset"),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "dataset"),
        ("INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }", "update"),
        ("LOAD <http://example.org/data.ttl>", "update"),
        ("SELECT * WHERE { ?s ?p ?o } NONSENSE", "syntax"),
    ],
)
def test_guard_refusals_are_400_with_the_guard_code(client: TestClient, query: str, code: str) -> None:
    for response in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 400
        assert error_code(response) == code


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_are_refused(client: TestClient, name: str) -> None:
    params = {"query": PRICE_QUERY, name: "http://example.org/g"}
    for response in (
        client.get("/sparql", params=params),
        client.post("/sparql", data=params),
        client.post(
            "/sparql",
            params={name: "http://example.org/g"},
            content=PRICE_QUERY,
            headers={"Content-Type": "application/sparql-query"},
        ),
    ):
        assert response.status_code == 400
        assert error_code(response) == "dataset"


def test_update_is_refused_in_every_slot(client: TestClient) -> None:
    update = "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
    for response in (
        client.get("/sparql", params={"update": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
    ):
        assert response.status_code == 400
        assert error_code(response) == "update"
        assert "read-only" in response.json()["error"]["message"]
    unchanged = client.get("/sparql", params={"query": "ASK { <http://example.org/s> ?p ?o }"})
    assert unchanged.json()["boolean"] is False


def test_syntax_error_is_400(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o "})
    assert response.status_code == 400
    assert error_code(response) == "query_error"
    assert "Traceback" not in response.text


def test_deep_nesting_is_400_not_a_crash(client: TestClient) -> None:
    query = "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o " + "} " * 3000
    response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert error_code(response) == "too_deep"


def test_query_text_over_the_cap_is_400(client: TestClient, settings: Settings) -> None:
    query = PRICE_QUERY + " " + "#" * settings.max_query_chars
    response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert error_code(response) == "too_long"


def test_body_over_the_cap_is_413(client: TestClient) -> None:
    body = b"query=" + b"%20" * 700_000  # 2.1 MB
    response = client.post("/sparql", content=body, headers={"Content-Type": FORM})
    assert response.status_code == 413
    assert error_code(response) == "too_large"
    assert "1,000,000 bytes" in response.json()["error"]["message"]


def test_streamed_body_over_the_cap_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(32):
            yield b" " * 65_536  # 2 MB in all, without a Content-Length

    response = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert error_code(response) == "too_large"


def test_openapi_documents_both_methods(client: TestClient) -> None:
    operations = client.get("/openapi.json").json()["paths"]["/sparql"]
    assert {p["name"] for p in operations["get"]["parameters"]} == {"query", "format"}
    assert set(operations["post"]["requestBody"]["content"]) == {FORM, "application/sparql-query"}


# --------------------------------------------------------------------------- caching and the row cap


def test_get_results_have_an_etag_and_answer_304(client: TestClient) -> None:
    params = {"query": PRICE_QUERY + " # etag"}
    first = client.get("/sparql", params=params)
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/sparql", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    assert other.headers["etag"] != etag


def test_post_results_are_not_cached(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": PRICE_QUERY})
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


@pytest.fixture(scope="module")
def capped_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"row_cap": 3}))) as test_client:
        yield test_client


def test_row_cap_truncates_and_says_so(capped_client: TestClient) -> None:
    response = capped_client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["x-row-cap-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 3
    graph = capped_client.post(
        "/sparql", data={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "ntriples"}
    )
    assert graph.headers["x-row-cap-truncated"] == "true"
    assert len(list(ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES))) == 3


def test_small_result_is_not_marked_truncated(capped_client: TestClient) -> None:
    response = capped_client.get("/sparql", params={"query": PRICE_QUERY})
    assert minimum_prices(response.content, ox.QueryResultsFormat.JSON) == ["50"]
    assert "x-row-cap-truncated" not in response.headers


# --------------------------------------------------------------------------- a real server: deadline, limits


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server(NEEDLING_DEADLINE_S="1") as base:
        yield base


@pytest.mark.server
def test_heavy_query_is_stopped_at_the_deadline(server: str) -> None:
    started = time.perf_counter()
    response = httpx.get(f"{server}/sparql", params={"query": CARTESIAN}, timeout=10)
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert error_code(response) == "timeout"
    assert "timeout" in response.json()["error"]["message"]
    assert elapsed < 3


@pytest.mark.server
def test_service_keeps_answering_during_a_heavy_query(server: str) -> None:
    heavy: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: heavy.append(httpx.post(f"{server}/sparql", data={"query": CARTESIAN}, timeout=10))
    )
    latencies: list[float] = []
    with httpx.Client(base_url=server, timeout=5) as http:
        thread.start()
        time.sleep(0.2)  # the heavy query is in its worker by now
        count = 0
        while thread.is_alive() and count < 40:
            count += 1
            # A new Accept parameter each time keeps the response cache from answering for the route.
            probe = {"Accept": f"application/json; probe={count}"}
            for url in ("/healthz", "/api/queries/cost_of_modality?modality=dry-needling"):
                started = time.perf_counter()
                response = http.get(url, headers=probe)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200
            time.sleep(0.02)
    thread.join()
    assert heavy[0].status_code == 503
    assert len(latencies) >= 10, "the heavy query ended before the service could be measured"
    assert max(latencies) < 1.0, f"slowest answer during the heavy query: {max(latencies):.3f} s"


@pytest.mark.server
def test_declared_oversized_body_is_refused_before_it_is_sent(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 2000000\r\n\r\n"
        )
        assert raw.recv(200).startswith(b"HTTP/1.1 413")


@pytest.mark.server
def test_streamed_oversized_body_is_refused_while_it_arrives(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    chunk = b" " * 65_536
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(17):  # 1.1 MB, and the final empty chunk is never sent
            raw.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert raw.recv(200).startswith(b"HTTP/1.1 413")


# --------------------------------------------------------------------------- a remote store behind /sparql


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A read-only Oxigraph server with the real ontology: the `--store` a deployment would use."""
    if shutil.which("oxigraph") is None:
        pytest.skip("the oxigraph server (PyPI 'oxigraph') is not installed")
    location = tmp_path / "oxigraph"
    load = ["oxigraph", "load", "--location", str(location), "--file", str(DEFAULT_ONTOLOGY)]
    subprocess.run(load, check=True, capture_output=True, timeout=60)
    port = free_port()
    command = ["oxigraph", "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.server
def test_remote_store_answers_through_sparql(
    settings: Settings, oxigraph_server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = oxigraph_server
    with TestClient(create_app(settings.model_copy(update={"store": url}))) as remote:
        csv_response = remote.get("/sparql", params={"query": PRICE_QUERY}, headers={"Accept": "text/csv"})
        assert csv_response.headers["content-type"].startswith("text/csv")
        assert minimum_prices(csv_response.content, ox.QueryResultsFormat.CSV) == ["50"]
        graph = remote.post("/sparql", data={"query": PRICE_CONSTRUCT, "format": "ntriples"})
        assert [t.object.value for t in ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES)] == ["50"]
        service = remote.get(
            "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}
        )
        assert service.status_code == 400 and error_code(service) == "service"
        process.terminate()  # the store goes away: the endpoint says so, with a 502
        process.wait(timeout=10)
        gone = remote.post("/sparql", data={"query": PRICE_QUERY})
        assert gone.status_code == 502
        assert error_code(gone) == "store_error"
