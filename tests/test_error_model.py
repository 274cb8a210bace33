"""One error model and one set of settings, seen from outside: the same code for the same failure on every
route and in the command line (its exit code from the same table), and a setting that caps the HTTP API
and the command line alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import free_port, oxigraph_server

from api.app import create_app
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES, PROJECT_ROOT
from kg.catalogue import load_catalogue
from kg.errors import ERRORS, NeedlingError, outcome_of
from kg.settings import Settings

HTML = {"accept": "text/html"}
CATALOGUE = load_catalogue(DEFAULT_QUERIES)


def needling(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("NEEDLING_")}
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- the table --------------------------------------------------------------------------------------


def test_every_error_code_has_one_status_and_one_exit_code() -> None:
    assert all(400 <= outcome.status < 600 and 1 <= outcome.exit <= 5 for outcome in ERRORS.values())
    assert outcome_of(NeedlingError("x", "store_error")).exit == 4
    assert outcome_of(RuntimeError("x")) == ERRORS["internal_error"]
    with pytest.raises(ValueError, match="no such error code"):
        NeedlingError("x", "made_up")


# --- one row cap, for the command line and the HTTP API ---------------------------------------------


def test_the_row_cap_setting_caps_the_command_line() -> None:
    done = needling("query", "list_entities", "type=nkg:Modality", "--format", "json", NEEDLING_ROW_CAP="1")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert len(body["rows"]) == 1 and body["truncated"] is True
    sparql = needling("sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--format", "json", NEEDLING_ROW_CAP="1")
    assert json.loads(sparql.stdout)["truncated"] is True and len(json.loads(sparql.stdout)["rows"]) == 1


def test_the_row_cap_setting_caps_the_http_api() -> None:
    settings = Settings(ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES, watch=False, row_cap=1)
    with TestClient(create_app(settings)) as client:
        body = client.get("/api/queries/list_entities", params={"type": "nkg:Modality"}).json()
        assert len(body["rows"]) == 1 and body["truncated"] is True
        sparql = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
        assert sparql.headers["X-Row-Cap-Truncated"] == "true"
        assert len(sparql.json()["results"]["bindings"]) == 1


# --- a store that is down: 502 store_error on every route that queries, exit 4 on the command line --


@pytest.fixture(scope="module")
def store_gone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The service on a remote Oxigraph server that stops once the service is up."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), "serve-read-only") as url:
        settings = Settings(
            ontology=DEFAULT_ONTOLOGY, queries=DEFAULT_QUERIES, shapes=DEFAULT_SHAPES, store=url, watch=False
        )
        settings = settings.model_copy(update={"store_refresh_s": 0})
        client = TestClient(create_app(settings))
        client.__enter__()
    try:
        yield client
    finally:
        client.__exit__(None, None, None)


def _routes() -> list[tuple[str, str, dict[str, str]]]:
    named = [
        ("GET", f"/api/queries/{query.name}", {p.name: p.example for p in query.params if p.example})
        for query in CATALOGUE
    ]
    return [
        *named,
        ("GET", "/api/ask", {"q": "what treats sciatica"}),
        ("GET", "/sparql", {"query": "ASK { ?s ?p ?o }"}),
        ("POST", "/sparql", {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"}),
        ("GET", "/resource/sciatica", {"format": "turtle"}),
    ]


@pytest.mark.server
@pytest.mark.parametrize(
    ("method", "path", "params"), _routes(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_api_route_answers_502_store_error_when_the_store_is_down(
    store_gone: TestClient, method: str, path: str, params: dict[str, str]
) -> None:
    response = store_gone.get(path, params=params) if method == "GET" else store_gone.post(path, data=params)
    assert response.status_code == 502, response.text[:300]
    error = response.json()["error"]
    assert error["code"] == "store_error" and "Traceback" not in error["message"]


@pytest.mark.server
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/compare",
        "/ask?q=what+treats+sciatica",
        "/resource/sciatica",
        "/queries/cost_of_modality?modality=acupuncture",
    ],
)
def test_every_page_answers_502_when_the_store_is_down(store_gone: TestClient, path: str) -> None:
    response = store_gone.get(path, headers=HTML)
    assert response.status_code == 502, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text


def test_the_command_line_exits_with_the_store_errors_code(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/query"
    for args in (("query", "cost_of_modality"), ("ask", "what treats sciatica"), ("sparql", "ASK {}")):
        done = needling(*args, "--store", dead)
        assert done.returncode == ERRORS["store_error"].exit == 4, (args, done.stderr)
        assert done.stdout == "" and done.stderr.startswith("needling: error: cannot reach")
        assert len(done.stderr.strip().splitlines()) == 1


def test_bad_input_exits_with_the_input_errors_code() -> None:
    done = needling("query", "cost_of_modality", "modality=not a name")
    assert done.returncode == ERRORS["invalid_parameter"].exit == 2
    assert "parameter 'modality'" in done.stderr
    refused = needling("sparql", "DELETE WHERE { ?s ?p ?o }")
    assert refused.returncode == ERRORS["update"].exit and "update" in refused.stderr.lower()
