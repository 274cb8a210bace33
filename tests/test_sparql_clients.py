"""Real SPARQL clients against a real server: SPARQLWrapper, rdflib's SPARQLStore, curl and Comunica."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import running_server
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, URLENCODED, XML, SPARQLWrapper
from test_sparql import PRICE_CONSTRUCT, PRICE_QUERY

pytestmark = [
    pytest.mark.server,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),  # SPARQLWrapper's
]
COMUNICA_PACKAGE = "@comunica/query-sparql@4"  # 5.x needs Node 22; CI and this machine have Node 20
COMUNICA_DIR = Path(
    os.environ.get("NEEDLING_COMUNICA_DIR", Path.home() / ".cache" / "needling-kg" / "comunica")
)
COMUNICA_BIN = COMUNICA_DIR / "node_modules" / "@comunica" / "query-sparql" / "bin" / "query.js"
DRY_NEEDLING = URIRef("https://needling-kg.example.org/kg/dry-needling")
MIN_PRICE = URIRef("http://schema.org/minPrice")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with running_server() as base:
        yield f"{base}/sparql"


@pytest.fixture(scope="session")
def comunica() -> Path:
    """The Comunica CLI, installed once into a cache folder outside the repository when missing."""
    if _installed_major(COMUNICA_DIR) == "4" and COMUNICA_BIN.is_file():
        return COMUNICA_BIN
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail(f"node and npm are needed to install {COMUNICA_PACKAGE} for the Comunica client test")
    COMUNICA_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    install = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--no-save", COMUNICA_PACKAGE],
        cwd=COMUNICA_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if install.returncode != 0 or not COMUNICA_BIN.is_file():
        pytest.fail(f"npm install {COMUNICA_PACKAGE} failed:\n{install.stderr[-3000:]}")
    print(f"installed {COMUNICA_PACKAGE} into {COMUNICA_DIR} in {time.monotonic() - started:.0f} s")
    return COMUNICA_BIN


def _installed_major(folder: Path) -> str | None:
    manifest = folder / "node_modules" / "@comunica" / "query-sparql" / "package.json"
    if not manifest.is_file():
        return None
    version: str = json.loads(manifest.read_text())["version"]
    return version.split(".")[0]


# --------------------------------------------------------------------------- SPARQLWrapper


@pytest.mark.parametrize(
    ("method", "request_method"), [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
)
def test_sparqlwrapper_select_json(endpoint: str, method: str, request_method: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setQuery(PRICE_QUERY)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert [row["min"]["value"] for row in result["results"]["bindings"]] == ["50"]


def test_sparqlwrapper_construct_to_rdflib_graph(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PRICE_CONSTRUCT)
    client.setReturnFormat(XML)  # RDF/XML for a CONSTRUCT, parsed by SPARQLWrapper into an rdflib Graph
    graph = client.queryAndConvert()
    assert isinstance(graph, Graph)
    assert list(graph.objects(DRY_NEEDLING, MIN_PRICE)) == [Literal(50)]


def test_sparqlwrapper_ask(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PRICE_QUERY.replace("SELECT ?min WHERE", "ASK"))
    client.setReturnFormat(JSON)
    assert client.queryAndConvert() == {"head": {}, "boolean": True}


# --------------------------------------------------------------------------- rdflib


def test_rdflib_sparqlstore(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint))
    rows = list(graph.query(PRICE_QUERY))
    assert [row[0] for row in rows] == [Literal(50)]  # type: ignore[index]
    price = URIRef("https://needling-kg.example.org/kg/dry-needling-price")
    assert list(graph.objects(price, MIN_PRICE)) == [Literal(50)]


# --------------------------------------------------------------------------- curl


def test_curl_csv(endpoint: str) -> None:
    if shutil.which("curl") is None:
        pytest.fail("curl is needed for the curl client test")
    output = subprocess.run(
        ["curl", "-s", "-f", "-H", "Accept: text/csv", "--data-urlencode", f"query={PRICE_QUERY}", endpoint],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert list(csv.DictReader(io.StringIO(output, newline=""))) == [{"min": "50"}]


# --------------------------------------------------------------------------- Comunica


@pytest.mark.timeout(960)  # the first run installs Comunica from npm
def test_comunica_select(endpoint: str, comunica: Path) -> None:
    completed = subprocess.run(
        ["node", str(comunica), f"sparql@{endpoint}", PRICE_QUERY, "-t", "application/sparql-results+json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert [row["min"]["value"] for row in result["results"]["bindings"]] == ["50"]


def test_comunica_construct(endpoint: str, comunica: Path) -> None:
    completed = subprocess.run(
        ["node", str(comunica), f"sparql@{endpoint}", PRICE_CONSTRUCT, "-t", "application/n-triples"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    graph = Graph().parse(data=completed.stdout, format="nt")
    assert list(graph.objects(DRY_NEEDLING, MIN_PRICE)) == [Literal(50)]
