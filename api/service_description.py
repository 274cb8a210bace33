"""The SPARQL service description (W3C sparql11-service-description) of /sparql, built from terms."""

from __future__ import annotations

import pyoxigraph as ox

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

# The W3C format IRIs of every representation /sparql produces (result sets, then graphs).
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
PREFIXES = {"sd": SD, "void": VOID, "formats": FORMATS}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_triples(endpoint: str, triples: int) -> list[ox.Triple]:
    """What a client may rely on: the endpoint, SPARQL 1.1 Query only, the formats and the dataset size.

    No `sd:feature` is claimed: in particular not `sd:BasicFederatedQuery` (SERVICE is refused).
    """
    service, dataset, default_graph = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    statements: list[tuple[ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]] = [
        (service, RDF_TYPE, _sd("Service")),
        (service, _sd("endpoint"), ox.NamedNode(endpoint)),
        (service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        *((service, _sd("resultFormat"), ox.NamedNode(FORMATS + name)) for name in RESULT_FORMATS),
        (service, _sd("defaultDataset"), dataset),
        (dataset, RDF_TYPE, _sd("Dataset")),
        (dataset, _sd("defaultGraph"), default_graph),
        (default_graph, RDF_TYPE, _sd("Graph")),
        (default_graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(triples), datatype=XSD_INTEGER)),
    ]
    return [ox.Triple(s, p, o) for s, p, o in statements]


def service_description(endpoint: str, triples: int, rdf_format: ox.RdfFormat) -> bytes:
    """The description serialized in one RDF format."""
    return ox.serialize(service_triples(endpoint, triples), format=rdf_format, prefixes=PREFIXES) or b""
