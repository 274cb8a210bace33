"""Check that the graph says only what its source says: every fact triple and definition has a claim."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from rdflib.term import Node

from kg.terms import PREFIXES

NKG = Namespace(PREFIXES["nkg"])
SCHEMA = Namespace(PREFIXES["schema"])

# What is said about a thing that is not a fact of the article: its names (hidden ones too), our own notes, identifiers,
# the currency (our reading of the article's dollars) and the frame of a node (which therapy an applied
# modality applies, which modalities a choice is between, how deep a named technique goes).
NOT_FACTS = frozenset(
    [
        RDF.type,
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.hiddenLabel,
        SKOS.scopeNote,
        SKOS.broader,
        SKOS.closeMatch,
        SKOS.exactMatch,
        SKOS.narrowMatch,
        SKOS.broadMatch,
        SKOS.relatedMatch,
        SCHEMA.priceCurrency,
        SCHEMA.referenceQuantity,
        SCHEMA.itemOffered,
        SCHEMA.priceSpecification,
        NKG.therapy,
        NKG.condition,
        NKG.between,
        NKG.depth,
    ]
)
# The nodes that are bookkeeping rather than things the article speaks of: claims, the article and its
# parts, offers, topics the article is silent on, and our vocabulary.
BOOKKEEPING = frozenset(
    [
        NKG.Claim,
        NKG.Section,
        NKG.NotInSource,
        SCHEMA.Article,
        SCHEMA.MedicalClinic,
        SCHEMA.Offer,
        SCHEMA.QuantitativeValue,
        SKOS.Concept,
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.Ontology,
    ]
)


def unsourced(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """The statements with no claim citing a part of the article: a skos:definition anywhere, and every
    fact triple about a typed thing of the graph (a modality, condition, risk, benefit, price...).

    A set difference over all triples, a few milliseconds on the project's graph; the same rule as a
    SHACL-SPARQL target took pyshacl 2.4 s, which every reload would wait for."""
    parts = set(graph.subjects(RDF.type, NKG.Section))
    sourced = {
        (graph.value(claim, RDF.subject), graph.value(claim, RDF.predicate), graph.value(claim, RDF.object))
        for claim in graph.subjects(RDF.type, NKG.Claim)
        if any(part in parts for part in graph.objects(claim, DCTERMS.source))
    }
    kinds: dict[Node, set[Node]] = {}
    for thing, kind in graph.subject_objects(RDF.type):
        kinds.setdefault(thing, set()).add(kind)
    missing = []
    for triple in graph:
        subject, predicate, _ = triple
        if predicate in NOT_FACTS or triple in sourced:
            continue
        types = kinds.get(subject)
        if predicate == SKOS.definition or (types and not types & BOOKKEEPING):
            missing.append(triple)
    return sorted(missing)
