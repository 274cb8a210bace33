"""What the /sparql editor reads from the service: where an error is in the query (JSON `error.position`, and
the page's data-line / data-column), the vocabulary it completes, and a page without a built editor."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.editor_assets import editor_script
from kg.adhoc.position import Position, position_in
from kg.terms import PREFIXES

RESULTS_JSON = {"accept": "application/sparql-results+json"}


def test_positions_are_read_from_the_guard_and_from_the_parser() -> None:
    assert position_in("'FILTR' at line 3, column 2 is not a SPARQL keyword or function") == Position(3, 2)
    assert position_in("error at 2:13: expected [_]") == Position(2, 13)
    assert position_in("the query took too long") is None


@pytest.mark.parametrize(
    ("query", "code", "line", "column"),
    [
        ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTR(?s)\n}", "syntax", 3, 3),  # the guard
        ("SELECT * WHERE {\n  ?s ?p ?o\n  ] }", "query_error", 3, 6),  # the parser: as far as it got
        ("SELECT * WHERE {\n SERVICE <http://example.org/> { ?s ?p ?o } }", "service", 2, 2),
    ],
)
def test_a_refused_or_broken_query_says_where(
    client: TestClient, query: str, code: str, line: int, column: int
) -> None:
    response = client.get("/sparql", params={"query": query}, headers=RESULTS_JSON)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["position"] == {"line": line, "column": column}
    page = client.get("/sparql", params={"query": query}, headers={"accept": "text/html"})
    assert f'data-line="{line}" data-column="{column}"' in page.text


def test_an_error_with_no_place_has_no_position(client: TestClient) -> None:
    query = "PREFIX ex: <http://example.org/>"
    error = client.get("/sparql", params={"query": query}, headers=RESULTS_JSON).json()["error"]
    assert error["code"] == "form" and "position" not in error


def test_the_error_schema_documents_the_position(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "position" in schemas["ErrorDetail"]["properties"]
    assert set(schemas["ErrorPosition"]["required"]) == {"line", "column"}


def test_the_vocabulary_has_the_prefixes_classes_and_properties_in_use(client: TestClient) -> None:
    body = client.get("/api/vocabulary").json()
    assert body["prefixes"] == PREFIXES
    classes = {term["iri"] for term in body["classes"]}
    properties = {term["iri"] for term in body["properties"]}
    assert PREFIXES["nkg"] + "Modality" in classes
    assert "http://schema.org/priceSpecification" in properties
    assert PREFIXES["skos"] + "prefLabel" in properties and PREFIXES["skos"] + "prefLabel" not in classes
    assert all(term["uses"] >= 1 for term in body["classes"] + body["properties"])


def test_without_a_bundle_the_page_names_no_script_and_the_log_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="needling.api"):
        assert editor_script(tmp_path) is None
    assert "make editor" in caplog.text and "plain query form" in caplog.text
    (tmp_path / "editor.js").write_text("export {};\n")
    first = editor_script(tmp_path)
    assert first is not None and first.startswith("/static/editor.js?v=")
    (tmp_path / "editor.js").write_text("export const changed = 1;\n")
    assert editor_script(tmp_path) != first  # a new build gets a new URL, past any browser cache


def test_the_page_loads_the_editor_only_when_it_was_built(client: TestClient) -> None:
    app = client.app
    built = app.state.editor_script  # type: ignore[attr-defined]
    try:
        app.state.editor_script = None  # type: ignore[attr-defined]
        # Accept headers no other test sends: entries of the response cache of their own
        plain = client.get("/sparql", headers={"accept": "text/html;q=0.9"}).text
        assert "<script" not in plain and '<textarea id="query" name="query"' in plain
        app.state.editor_script = "/static/editor.js?v=test"  # type: ignore[attr-defined]
        enhanced = client.get("/sparql", headers={"accept": "text/html;q=0.8"}).text
        assert '<script type="module" src="/static/editor.js?v=test"></script>' in enhanced
    finally:
        app.state.editor_script = built  # type: ignore[attr-defined]
