"""Tests for the named queries over HTTP: the catalogue, one typed operation per query, errors, caching, CORS."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg import DEFAULT_QUERIES
from kg.catalogue import PARAM_TYPES, NamedQuery, load_catalogue

CATALOGUE = list(load_catalogue(DEFAULT_QUERIES))
ROW_QUERIES = [q for q in CATALOGUE if q.form == "SELECT"]
GRAPH_QUERIES = [q for q in CATALOGUE if q.form in ("CONSTRUCT", "DESCRIBE")]
JSON_TYPES = {
    "iri": "string",
    "string": "string",
    "integer": "integer",
    "decimal": "number",
    "boolean": "boolean",
}
RESULT_KEYS = {"vars", "rows", "truncated", "elapsed_ms", "sparql"}
SCIATICA = {"condition": "sciatica"}

Spec = dict[str, Any]


def examples(query: NamedQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.params if p.example}


def error_of(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    return dict(body["error"])


def schema_type(schema: Spec) -> str:
    """The JSON type of a parameter schema, looking through Optional's anyOf [T, null]."""
    if "type" in schema:
        return str(schema["type"])
    kinds = [str(s["type"]) for s in schema.get("anyOf", []) if s.get("type") != "null"]
    assert len(kinds) == 1, schema
    return kinds[0]


# --- the catalogue -------------------------------------------------------------------------------------


def test_the_catalogue_lists_every_query_file(client: TestClient) -> None:
    response = client.get("/api/queries")
    assert response.status_code == 200
    listed = {entry["name"]: entry for entry in response.json()}
    assert sorted(listed) == sorted(path.stem for path in DEFAULT_QUERIES.glob("*.rq"))
    for query in CATALOGUE:
        entry = listed[query.name]
        assert entry["title"] == query.title
        assert entry["description"] == query.description
        assert entry["examples"] == list(query.examples)
        assert entry["url"] == f"/api/queries/{query.name}"
        assert [
            (p["name"], p["type"], p["required"], p["example"], p["default"]) for p in entry["params"]
        ] == [(p.name, p.type, p.required, p.example, p.default) for p in query.params]
        assert all(p["type"] in PARAM_TYPES for p in entry["params"])


def test_the_catalogue_shows_a_typed_parameter(client: TestClient) -> None:
    entry = next(e for e in client.get("/api/queries").json() if e["name"] == "treatments_under_price")
    max_price = next(p for p in entry["params"] if p["name"] == "max_price")
    assert (max_price["type"], max_price["required"], max_price["example"]) == ("decimal", True, "60")
    assert "USD" in max_price["description"]


# --- one query, every query ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ROW_QUERIES, ids=[q.name for q in ROW_QUERIES])
def test_every_query_answers_its_example(client: TestClient, query: NamedQuery) -> None:
    response = client.get(f"/api/queries/{query.name}", params=examples(query))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == RESULT_KEYS | ({"page"} if query.page else set())
    assert body["rows"], f"{query.name} gave no rows for {examples(query)}"
    assert all(set(row) <= set(body["vars"]) for row in body["rows"])
    assert body["truncated"] is False
    assert body["elapsed_ms"] >= 0
    assert "SELECT" in body["sparql"]


@pytest.mark.parametrize("query", GRAPH_QUERIES, ids=[q.name for q in GRAPH_QUERIES])
@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        (None, ox.RdfFormat.TURTLE),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_a_graph_query_answers_in_rdf(
    client: TestClient, query: NamedQuery, accept: str | None, rdf_format: ox.RdfFormat
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/api/queries/{query.name}", params=examples(query), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(rdf_format.media_type)
    assert list(ox.parse(response.content, format=rdf_format)), f"{query.name} built no triples"


@pytest.mark.parametrize("query", GRAPH_QUERIES, ids=[q.name for q in GRAPH_QUERIES])
def test_a_graph_query_has_no_csv(client: TestClient, query: NamedQuery) -> None:
    response = client.get(
        f"/api/queries/{query.name}", params=examples(query), headers={"Accept": "text/csv"}
    )
    assert error_of(response, 406)["code"] == "not_acceptable"


def test_treatments_for_sciatica_as_a_person_reads_them(client: TestClient) -> None:
    body = client.get("/api/queries/treatments_for_condition", params=SCIATICA).json()
    shown = [(r["therapyLabel"], r["minPrice"], r["maxPrice"], r["currency"]) for r in body["rows"]]
    assert shown == [("Dry needling", 50, 150, "USD"), ("Acupuncture", 70, 150, "USD")]
    assert "https://needling-kg.example.org/kg/sciatica" in body["sparql"]


def test_a_decimal_parameter(client: TestClient) -> None:
    rows = client.get("/api/queries/treatments_under_price", params={"max_price": "59.5"}).json()["rows"]
    assert [r["modalityLabel"] for r in rows] == ["Dry needling"]
    rows = client.get("/api/queries/treatments_under_price", params={"max_price": "40"}).json()["rows"]
    assert rows == []


@pytest.mark.parametrize(
    ("value", "expected"), [("0.00001", []), ("50.000000000000000001", ["Dry needling"])]
)
def test_a_decimal_parameter_keeps_its_exact_value(
    client: TestClient, value: str, expected: list[str]
) -> None:
    response = client.get("/api/queries/treatments_under_price", params={"max_price": value})
    assert response.status_code == 200, response.text
    assert [r["modalityLabel"] for r in response.json()["rows"]] == expected


def test_csv_by_accept(client: TestClient) -> None:
    response = client.get(
        "/api/queries/treatments_for_condition", params=SCIATICA, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    json_body = client.get("/api/queries/treatments_for_condition", params=SCIATICA).json()
    assert table[0] == json_body["vars"]
    assert [row[table[0].index("therapyLabel")] for row in table[1:]] == ["Dry needling", "Acupuncture"]


def test_an_unacceptable_format_is_406(client: TestClient) -> None:
    response = client.get(
        "/api/queries/treatments_for_condition", params=SCIATICA, headers={"Accept": "image/png"}
    )
    assert error_of(response, 406)["code"] == "not_acceptable"


# --- errors --------------------------------------------------------------------------------------------


def test_an_unknown_query_is_404_json(client: TestClient) -> None:
    error = error_of(client.get("/api/queries/no_such_query"), 404)
    assert error["code"] == "unknown_query"
    assert "no_such_query" in error["message"]


@pytest.mark.parametrize(
    ("name", "params", "bad"),
    [
        ("treatments_under_price", {"max_price": "abc"}, "max_price"),
        ("treatments_under_price", {}, "max_price"),
        ("treatments_for_condition", {}, "condition"),
        ("treatments_for_condition", {"condition": "x> . ?s ?p ?o } #"}, "condition"),
        ("treatments_for_condition", {"condition": 'x" . ?s ?p ?o } #'}, "condition"),
        ("label_search", {"text": "a" * 600}, "text"),
        ("label_search", {"text": "a\x00b"}, "text"),
    ],
)
def test_a_bad_value_is_422_naming_the_parameter(
    client: TestClient, name: str, params: dict[str, str], bad: str
) -> None:
    error = error_of(client.get(f"/api/queries/{name}", params=params), 422)
    assert error["code"] == "invalid_parameter"
    assert f"'{bad}'" in error["message"]


def test_an_unknown_parameter_is_422(client: TestClient) -> None:
    error = error_of(client.get("/api/queries/cost_of_modality", params={"modalty": "acupuncture"}), 422)
    assert "'modalty'" in error["message"]


# --- OpenAPI -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> Spec:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


@pytest.mark.parametrize("query", CATALOGUE, ids=[q.name for q in CATALOGUE])
def test_each_query_is_its_own_typed_operation(openapi: Spec, query: NamedQuery) -> None:
    operation = openapi["paths"][f"/api/queries/{query.name}"]["get"]
    assert operation["summary"] == query.title
    assert query.description in operation["description"]
    declared = {p["name"]: p for p in operation.get("parameters", [])}
    assert sorted(declared) == sorted(p.name for p in query.params)
    for param in query.params:
        spec = declared[param.name]
        assert spec["in"] == "query"
        assert spec["required"] is param.required
        assert schema_type(spec["schema"]) == JSON_TYPES[param.type], param.name
        if param.example:
            assert [str(e) for e in spec["schema"]["examples"]] == [param.example]
    for status in ("404", "422", "503"):
        assert status in operation["responses"], status
    if query.form == "SELECT":
        assert {"application/json", "text/csv"} <= set(operation["responses"]["200"]["content"])


@pytest.mark.parametrize("query", GRAPH_QUERIES, ids=[q.name for q in GRAPH_QUERIES])
def test_a_graph_query_declares_rdf(openapi: Spec, query: NamedQuery) -> None:
    content = set(openapi["paths"][f"/api/queries/{query.name}"]["get"]["responses"]["200"]["content"])
    assert "text/turtle" in content
    assert "text/csv" not in content


def test_the_decimal_parameter_is_a_number(openapi: Spec) -> None:
    parameters = openapi["paths"]["/api/queries/treatments_under_price"]["get"]["parameters"]
    max_price = next(p for p in parameters if p["name"] == "max_price")
    assert max_price["schema"]["type"] == "number"
    assert max_price["required"] is True


def test_examples_have_the_parameter_type(openapi: Spec) -> None:
    parameters = openapi["paths"]["/api/queries/treatments_under_price"]["get"]["parameters"]
    max_price = next(p for p in parameters if p["name"] == "max_price")
    assert max_price["schema"]["examples"] == [60]


def test_operation_ids_are_unique(openapi: Spec) -> None:
    ids = [op["operationId"] for path in openapi["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))


# --- caching and CORS ----------------------------------------------------------------------------------


def test_etag_and_304(client: TestClient) -> None:
    url = "/api/queries/treatments_for_condition"
    first = client.get(url, params=SCIATICA)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(url, params=SCIATICA, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    weak = client.get(url, params=SCIATICA, headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
    stale = client.get(url, params=SCIATICA, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    assert stale.json() == first.json() | {"elapsed_ms": stale.json()["elapsed_ms"]}


def test_etags_differ_by_parameters_and_format(client: TestClient) -> None:
    url = "/api/queries/treatments_for_condition"
    sciatica = client.get(url, params=SCIATICA).headers["etag"]
    back = client.get(url, params={"condition": "back-pain"}).headers["etag"]
    as_csv = client.get(url, params=SCIATICA, headers={"Accept": "text/csv"}).headers["etag"]
    assert len({sciatica, back, as_csv}) == 3


def test_cors_allows_any_origin_without_credentials(client: TestClient) -> None:
    response = client.get("/api/queries", headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    one = client.get(
        "/api/queries/treatments_for_condition", params=SCIATICA, headers={"Origin": "https://x.example"}
    )
    assert one.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in one.headers


def test_cors_preflight(client: TestClient) -> None:
    response = client.options(
        "/api/queries",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers
