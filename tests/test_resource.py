"""GET /resource/{name}: the RDF twins, the HTML page, 404s for bad and unknown names, validators, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings

NKG = "https://needling-kg.example.org/kg/"
SCHEMA = "http://schema.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF_SUBJECT = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")
RDF_OBJECT = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#object")
DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
API = {"accept": "application/json"}
RDF_TWINS = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
]
BAD_NAMES = ["%00", "..%2F..%2Fetc%2Fpasswd", "a" * 5000, "a/b", ".hidden", "dry%20needling", "%3Cscript%3E"]


def nkg(name: str) -> ox.NamedNode:
    return ox.NamedNode(NKG + name)


def triples(body: bytes, fmt: ox.RdfFormat) -> set[tuple[object, object, object]]:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.DOTALL)
    assert match, f"no section #{section_id} on the page"
    return match.group(1)


# --- the RDF twin --------------------------------------------------------------------------------


@pytest.mark.parametrize(("media_type", "fmt"), RDF_TWINS)
def test_rdf_twin_holds_outgoing_incoming_and_claim_triples(
    client: TestClient, media_type: str, fmt: ox.RdfFormat
) -> None:
    response = client.get("/resource/dry-needling", headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = triples(response.content, fmt)
    dry_needling = nkg("dry-needling")
    western = ox.NamedNode(SCHEMA + "WesternConventional")
    assert (dry_needling, ox.NamedNode(SCHEMA + "medicineSystem"), western) in graph
    assert (nkg("sciatica"), ox.NamedNode(SCHEMA + "possibleTreatment"), dry_needling) in graph
    claims = {s for s, p, o in graph if p == RDF_SUBJECT and o == dry_needling}
    assert nkg("claim-f02-1") in claims
    assert (nkg("claim-f02-1"), DERIVED_FROM, nkg("article")) in graph
    # a claim node whose object is the resource comes with all its triples too
    assert (nkg("claim-f02-1"), RDF_TYPE, nkg("Claim")) in graph


def test_rdf_twin_leaves_out_unrelated_triples(client: TestClient) -> None:
    graph = triples(client.get("/resource/sciatica?format=ntriples").content, ox.RdfFormat.N_TRIPLES)
    sciatica = nkg("sciatica")
    claim_nodes = {s for s, p, o in graph if p in (RDF_SUBJECT, RDF_OBJECT) and o == sciatica}
    assert claim_nodes
    assert all(s == sciatica or o == sciatica or s in claim_nodes for s, p, o in graph)


@pytest.mark.parametrize(
    ("override", "media_type"),
    [("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("ntriples", "application/n-triples")],
)
def test_format_override_beats_accept(client: TestClient, override: str, media_type: str) -> None:
    response = client.get(f"/resource/dry-needling?format={override}", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)


def test_unknown_format_is_not_acceptable(client: TestClient) -> None:
    response = client.get("/resource/dry-needling?format=pdf", headers=API)
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


def test_plain_json_client_gets_json_ld(client: TestClient) -> None:
    response = client.get("/resource/dry-needling", headers=API)
    assert response.status_code == 200
    graph = triples(response.content, ox.RdfFormat.JSON_LD)
    assert (nkg("dry-needling"), RDF_TYPE, nkg("Modality")) in graph


# --- the HTML page -------------------------------------------------------------------------------


def test_page_shows_labels_links_incoming_and_claims(client: TestClient) -> None:
    response = client.get("/resource/dry-needling", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<h1>Dry needling</h1>" in html
    assert "dry needle therapy" in html  # an alt label
    assert 'href="/resource/Modality"' in html  # a type, linked to its own page
    # the article's definition, with where it says so
    assert "tight bands in muscles" in html
    assert "[the article, the “Dry Needling” section]" in html
    outgoing = section(html, "outgoing")
    assert "Western conventional medicine" in outgoing
    assert 'href="/resource/trigger-points"' in outgoing
    incoming = section(html, "incoming")
    assert "What points here" in incoming
    assert ">Sciatica</a>" in incoming
    assert 'href="/resource/sciatica"' in incoming
    claims = section(html, "claims")
    assert (
        "Fact F02" in claims and "the opening paragraph" in claims and "the “Dry Needling” section" in claims
    )
    assert "Introduction" not in claims  # no heading the article does not have
    assert '“<span class="hedge">predominantly</span>”' in claims  # the article's own hedge
    assert 'href="/resource/claim-f02-1"' in claims


def test_page_offers_its_rdf_twins(client: TestClient) -> None:
    html = client.get("/resource/dry-needling", headers=HTML).text
    assert '<link rel="alternate" type="text/turtle" href="?format=turtle">' in html
    assert '<link rel="alternate" type="application/ld+json" href="?format=jsonld">' in html


def test_page_links_external_identifiers(client: TestClient) -> None:
    identifiers = section(client.get("/resource/back-pain", headers=HTML).text, "identifiers")
    assert 'href="http://id.nlm.nih.gov/mesh/D001416"' in identifiers  # skos:closeMatch
    # low back pain is its own, narrower topic, with its own identifier
    narrower = section(client.get("/resource/lower-back-pain", headers=HTML).text, "identifiers")
    assert 'href="http://id.nlm.nih.gov/mesh/D017116"' in narrower


def test_our_explanation_is_shown_as_ours(client: TestClient) -> None:
    html = client.get("/resource/sciatica", headers=HTML).text
    start = html.index('<header class="resource-head">')
    header = html[start : html.index("</header>", start)]
    assert "Our explanation, not from the article" in header
    assert "sciatic nerve" in header
    assert 'class="lede definition"' not in header, "the article gives no definition of sciatica"


def test_class_resource_has_a_page_and_a_twin(client: TestClient) -> None:
    html = client.get("/resource/Modality", headers=HTML).text
    assert "<h1>Needling modality</h1>" in html
    assert ">Dry needling</a>" in section(html, "incoming")
    turtle = client.get("/resource/Modality", headers={"accept": "text/turtle"})
    assert (nkg("acupuncture"), RDF_TYPE, nkg("Modality")) in triples(turtle.content, ox.RdfFormat.TURTLE)


def test_claim_node_has_a_page(client: TestClient) -> None:
    response = client.get("/resource/claim-f29-1", headers=HTML)
    assert response.status_code == 200
    assert "claim-f29-1" in response.text


# --- names that are not resources ----------------------------------------------------------------


@pytest.mark.parametrize("headers", [API, HTML], ids=["json", "html"])
def test_unknown_name_is_404(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/resource/no-such-thing", headers=headers)
    assert response.status_code == 404
    assert "no resource named" in response.text and "no-such-thing" in response.text
    assert "ETag" not in response.headers


@pytest.mark.parametrize("name", BAD_NAMES, ids=lambda n: n[:24])
def test_bad_name_is_a_clear_json_404(client: TestClient, name: str) -> None:
    response = client.get(f"/resource/{name}", headers=API)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "invalid_resource_name"
    assert "is not a resource name" in error["message"]
    assert len(error["message"]) < 300
    assert "Traceback" not in response.text


@pytest.mark.parametrize("name", BAD_NAMES, ids=lambda n: n[:24])
def test_bad_name_is_an_html_404_for_browsers(client: TestClient, name: str) -> None:
    response = client.get(f"/resource/{name}", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "is not a resource name" in response.text
    assert "Traceback" not in response.text
    assert "<script>" not in response.text


# --- validators ----------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [HTML, {"accept": "text/turtle"}], ids=["html", "turtle"])
def test_etag_and_304(client: TestClient, headers: dict[str, str]) -> None:
    first = client.get("/resource/acupuncture", headers=headers)
    etag = first.headers["etag"]
    assert "Accept" in [part.strip() for part in first.headers["vary"].split(",")]
    assert "max-age=" in first.headers["cache-control"]
    again = client.get("/resource/acupuncture", headers={**headers, "if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_each_representation_has_its_own_etag(client: TestClient) -> None:
    tags = {
        client.get("/resource/acupuncture", headers={"accept": media}).headers["etag"]
        for media in ("text/html", "text/turtle", "application/ld+json", "application/n-triples")
    }
    assert len(tags) == 4


# --- escaping ------------------------------------------------------------------------------------


def test_hostile_iri_and_label_are_shown_as_text(graph_copy: Path) -> None:
    ontology = graph_copy / "needling.ttl"
    with ontology.open("a", encoding="utf-8") as handle:
        handle.write(
            "\n<https://needling-kg.example.org/kg/dry-needling> "
            "<http://www.w3.org/2004/02/skos/core#closeMatch> <javascript:alert(1)> .\n"
            "<https://needling-kg.example.org/kg/dry-needling> "
            '<http://www.w3.org/2004/02/skos/core#altLabel> "<script>alert(1)</script>"@en .\n'
            "<https://needling-kg.example.org/kg/dry-needling> "
            "<https://needling-kg.example.org/kg/seeAlso> <data:text/html,boom> .\n"
        )
    settings = Settings(ontology=ontology, queries=graph_copy / "queries", watch=False)
    with TestClient(create_app(settings)) as client:
        html = client.get("/resource/dry-needling", headers=HTML).text
    assert 'href="javascript:' not in html.lower()
    assert 'href="data:' not in html.lower()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:alert(1)" in section(html, "identifiers")  # shown, but not as a link
