"""Named queries in the SPARQL 1.1 results formats, read back by real clients (SPARQLWrapper, rdflib's
result parsers) from a real server, and compared with the service's own JSON rows."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.error import HTTPError

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import running_server
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

from api.app import create_app
from api.fast_json import RowsJSON
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES
from kg.catalogue import NamedQuery, load_catalogue
from kg.settings import Settings

CATALOGUE = list(load_catalogue(DEFAULT_QUERIES))
ROW_QUERIES = [q for q in CATALOGUE if q.form == "SELECT"]
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
TREATMENTS = "/api/queries/treatments_for_condition"
SCIATICA = {"condition": "sciatica"}


def examples(query: NamedQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.params if p.example}


def plain(term: Any) -> object:
    """A parsed term as the service's JSON rows give it: IRIs and text as strings, numbers as numbers."""
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value if isinstance(value, (int, float, bool)) else str(term)
    return str(term)


def parsed_rows(result: Result) -> list[dict[str, object]]:
    return [
        {str(var): plain(term) for var, term in binding.items() if term is not None}
        for binding in result.bindings
    ]


def check_types(result: Result, rows: list[dict[str, object]]) -> None:
    """Typed literals keep their datatype: a number in the JSON rows is a numeric literal, text a string
    or a language-tagged one, an IRI an IRI."""
    for binding, row in zip(result.bindings, rows, strict=True):
        for var, term in binding.items():
            value = row[str(var)]
            if isinstance(term, URIRef):
                assert isinstance(value, str) and value == str(term)
            elif isinstance(term, Literal):
                datatype = str(term.datatype) if term.datatype else None
                if isinstance(value, bool):
                    assert datatype == XSD + "boolean"
                elif isinstance(value, (int, float)):
                    assert datatype in NUMERIC, (var, term, datatype)
                else:
                    assert term.language or datatype in (None, XSD + "string", RDF_LANG_STRING), (var, term)
            else:
                assert isinstance(term, BNode)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as base:
        yield base


@pytest.fixture(scope="module")
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


@pytest.mark.server
@pytest.mark.parametrize("query", ROW_QUERIES, ids=lambda q: q.name)
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_rdflib_reads_every_named_query_as_the_json_rows(
    http: httpx.Client, query: NamedQuery, fmt: str
) -> None:
    url = f"/api/queries/{query.name}"
    own = http.get(url, params=examples(query))
    assert own.status_code == 200 and own.headers["content-type"] == "application/json"
    standard = http.get(url, params=examples(query), headers={"Accept": MEDIA[fmt]})
    assert standard.status_code == 200, standard.text
    assert standard.headers["content-type"].split(";")[0] == MEDIA[fmt]
    assert "Accept" in standard.headers["vary"]
    result = Result.parse(io.BytesIO(standard.content), format=fmt)
    assert [str(var) for var in result.vars or []] == own.json()["vars"]  # head.vars in the query's order
    assert parsed_rows(result) == own.json()["rows"]
    check_types(result, own.json()["rows"])


@pytest.mark.server
@pytest.mark.parametrize("query", ROW_QUERIES, ids=lambda q: q.name)
def test_csv_is_the_lexical_form_of_each_value(http: httpx.Client, query: NamedQuery) -> None:
    """SPARQL 1.1 CSV: the variables as the header, each value's lexical form (types are lost, by design)."""
    url = f"/api/queries/{query.name}"
    lexical = Result.parse(
        io.BytesIO(http.get(url, params=examples(query), headers={"Accept": MEDIA["tsv"]}).content),
        format="tsv",
    )
    answer = http.get(url, params=examples(query), headers={"Accept": "text/csv"})
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.text.split("\r\n", 1)[0] == ",".join(str(v) for v in lexical.vars or [])
    as_csv = Result.parse(io.BytesIO(answer.content), format="csv")
    assert [{str(k): str(v) for k, v in b.items()} for b in as_csv.bindings] == [
        {str(k): str(v) for k, v in b.items()} for b in lexical.bindings
    ]


def wrapper(server: str, **params: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}{TREATMENTS}")
    for name, value in params.items():
        client.addParameter(name, value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "not detected query type for query ''"
        client.setQuery("")  # it sends `SELECT * WHERE{ ?s ?p ?o }` otherwise, which a named query refuses
    return client


@pytest.mark.server
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("only_conneg", [False, True])
def test_sparqlwrapper_reads_a_named_query(
    server: str, http: httpx.Client, fmt: str, only_conneg: bool
) -> None:
    """As SPARQLWrapper sends it: `query=`, `format=`/`output=`/`results=` (unless only conneg) and its
    Accept header; the answer is the standard format, parsed by its own converter."""
    client = wrapper(server, **SCIATICA)
    client.setReturnFormat(fmt)
    client.setOnlyConneg(only_conneg)
    own = http.get(TREATMENTS, params=SCIATICA).json()
    converted = client.queryAndConvert()
    if fmt == JSON:
        assert isinstance(converted, dict)
        assert converted["head"]["vars"] == own["vars"]
        bindings = converted["results"]["bindings"]
        assert [b["therapy"]["value"] for b in bindings] == [r["therapy"] for r in own["rows"]]
        assert bindings[0]["minPrice"]["datatype"] == XSD + "integer"
        assert bindings[0]["therapyLabel"]["xml:lang"] == "en"
        return
    data = converted.toxml().encode() if fmt == XML else converted  # a DOM document for XML
    result = Result.parse(io.BytesIO(data), format=fmt)
    if fmt == CSV:  # the lexical forms, with the types left out as SPARQL 1.1 CSV does
        therapies = [str(binding[Variable("therapy")]) for binding in result.bindings]
        assert therapies == [row["therapy"] for row in own["rows"]]
    else:
        assert parsed_rows(result) == own["rows"]


@pytest.mark.server
def test_sparqlwrappers_default_query_is_refused_clearly(server: str) -> None:
    client = SPARQLWrapper(f"{server}{TREATMENTS}")
    client.addParameter("condition", "sciatica")
    client.setReturnFormat(JSON)
    with pytest.raises(HTTPError) as refused:
        client.query()
    assert refused.value.code == 422
    assert "runs its own SPARQL" in refused.value.read().decode()


# --- negotiation, the cache and the row cap (in process) ------------------------------------------------


def test_the_services_json_stays_the_default(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (None, "*/*", "application/json", browser):
        answer = client.get(TREATMENTS, params=SCIATICA, headers={"Accept": accept} if accept else {})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert {"vars", "rows", "truncated"} <= set(answer.json())


def test_q_values_choose_among_the_formats(client: TestClient) -> None:
    accept = "application/json;q=0.5, text/tab-separated-values;q=0.9, application/sparql-results+xml;q=0.7"
    answer = client.get(TREATMENTS, params=SCIATICA, headers={"Accept": accept})
    assert answer.headers["content-type"].startswith("text/tab-separated-values")
    assert answer.text.startswith("?therapy\t?therapyLabel")


def test_format_parameter_chooses_when_accept_names_none(client: TestClient) -> None:
    """The query pages' download links (`format=csv`, `format=json`), and the standard ones by name."""
    for fmt, media in (("json", "application/json"), ("csv", "text/csv"), ("srj", MEDIA["json"]), ("srx", MEDIA["xml"]), ("tsv", MEDIA["tsv"]), (MEDIA["json"], MEDIA["json"])):  # fmt: skip
        answer = client.get(TREATMENTS, params={**SCIATICA, "format": fmt}, headers={"Accept": "*/*"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].split(";")[0] == media, fmt
    named = client.get(TREATMENTS, params={**SCIATICA, "format": "json"}, headers={"Accept": MEDIA["json"]})
    assert named.headers["content-type"] == MEDIA["json"]


@pytest.mark.parametrize(
    ("params", "accept", "status", "code"),
    [
        ({}, "image/png", 406, "not_acceptable"),
        ({}, "application/xml", 406, "not_acceptable"),
        ({"format": "yaml"}, None, 406, "not_acceptable"),
        ({"query": "SELECT * WHERE { ?s ?p ?o }"}, None, 422, "invalid_parameter"),
        ({"update": "DROP ALL"}, None, 422, "invalid_parameter"),
        ({"conditoin": "sciatica"}, None, 422, "invalid_parameter"),
    ],
)
def test_what_cannot_be_answered_is_a_json_error(
    client: TestClient, params: dict[str, str], accept: str | None, status: int, code: str
) -> None:
    answer = client.get(
        TREATMENTS, params={**SCIATICA, **params}, headers={"Accept": accept} if accept else {}
    )
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["code"] == code


def test_empty_protocol_parameters_are_ignored(client: TestClient) -> None:
    answer = client.get(TREATMENTS, params={**SCIATICA, "query": "", "format": "", "output": ""})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"


def test_formats_never_poison_each_other_in_the_cache(client: TestClient) -> None:
    """Two requests differing only in Accept, each twice (the second from the response cache)."""
    answers: dict[str, list[httpx.Response]] = {}
    for _ in range(2):
        for accept in ("application/json", *MEDIA.values()):
            answer = client.get(TREATMENTS, params=SCIATICA, headers={"Accept": accept})
            answers.setdefault(accept, []).append(answer)
    for accept, (first, again) in answers.items():
        assert first.headers["content-type"].split(";")[0] == accept
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.content == first.content
        assert "Accept" in first.headers["vary"] and first.headers["vary"] == again.headers["vary"]
    etags = {responses[0].headers["etag"] for responses in answers.values()}
    assert len(etags) == len(answers)
    current = client.get(
        TREATMENTS,
        params=SCIATICA,
        headers={"Accept": MEDIA["json"], "If-None-Match": answers[MEDIA["json"]][0].headers["etag"]},
    )
    assert current.status_code == 304
    other = client.get(
        TREATMENTS,
        params=SCIATICA,
        headers={"Accept": "text/csv", "If-None-Match": answers[MEDIA["json"]][0].headers["etag"]},
    )
    assert other.status_code == 200 and other.headers["content-type"].startswith("text/csv")


def test_the_row_cap_shows_in_every_format() -> None:
    settings = Settings(ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES, watch=False, row_cap=1)
    with TestClient(create_app(settings)) as capped:
        own = capped.get(TREATMENTS, params=SCIATICA)
        assert own.json()["truncated"] is True and len(own.json()["rows"]) == 1
        assert own.headers["x-row-cap-truncated"] == "true"
        for fmt, media in MEDIA.items():
            answer = capped.get(TREATMENTS, params=SCIATICA, headers={"Accept": media})
            assert answer.headers["x-row-cap-truncated"] == "true"
            assert len(Result.parse(io.BytesIO(answer.content), format=fmt).bindings) == 1


@pytest.mark.parametrize("query", ROW_QUERIES, ids=lambda q: q.name)
def test_the_json_rows_are_the_standard_librarys_json(client: TestClient, query: NamedQuery) -> None:
    """orjson writes the rows (api/fast_json.py): the same bytes as Python's own JSON would be."""
    answer = client.get(f"/api/queries/{query.name}", params=examples(query))
    assert answer.status_code == 200, answer.text
    standard = json.dumps(answer.json(), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    assert answer.content == standard.encode()


def test_values_the_standard_library_or_orjson_cannot_write_still_answer() -> None:
    assert RowsJSON({"n": 2**70, "s": "“x”"}).body == '{"n":1180591620717411303424,"s":"“x”"}'.encode()
    assert RowsJSON({"x": float("nan"), "y": float("inf")}).body == b'{"x":null,"y":null}'
