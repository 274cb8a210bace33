"""GET /resource/{name}: one resource of our namespace as an HTML page or as its RDF twin, by Accept."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.caching import etag_for, validated
from api.errors import ApiError
from api.negotiation import choose
from api.neighbourhood import Group, Neighbour, layout
from api.openapi_shapes import error_responses
from api.routes.queries import next_page_link
from api.state import RuntimeDep
from api.templating import RESOURCE_NAME, href, render, short
from kg.adhoc.formats import GRAPH_FORMATS
from kg.engine import KnowledgeGraph
from kg.terms import NKG, PREFIXES, Row, Term

RESOURCE_GRAPH_QUERY = "resource_graph"
MAX_OFFSET = 1_000_000_000
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NAME_RULE = "1 to 200 letters, digits, '.', '_' or '-', starting with a letter or digit"
_RDF_TYPE = PREFIXES["rdf"] + "type"
_IDENTIFIER_PROPERTIES = frozenset(
    PREFIXES["skos"] + p for p in ("exactMatch", "closeMatch", "narrowMatch", "broadMatch", "relatedMatch")
)
# The RDF twins, then plain JSON (served as JSON-LD); HTML first so a bare */* gets the page.
_RDF_OFFERS = {key: GRAPH_FORMATS[key] for key in ("turtle", "jsonld", "ntriples", "rdfxml")}
_OFFERS = {"html": "text/html", **_RDF_OFFERS, "json": "application/json"}
_ALTERNATES = (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"))

router = APIRouter(tags=["linked data"])


@dataclass(frozen=True)
class Link:
    """Something to show: its text, and an href only for our resources or http(s) IRIs."""

    text: str
    href: str | None = None
    iri: str | None = None


@dataclass
class LinkGroup:
    """The values one property links to (or from), in query order."""

    property: Link
    values: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class ClaimView:
    """One claim node about the resource: the statement, where the source makes it and how firmly."""

    claim: Link
    fact: str
    subject: Link
    predicate: Link
    object: Link
    section: Link
    article: Link
    hedge: str | None
    frequency: str | None
    severity: str | None


@router.get(
    "/resource/{name:path}",
    response_class=Response,  # the page or RDF, never plain JSON: declared below by media type
    summary="One resource as a page or as linked data",
    description="The resource `https://needling-kg.example.org/kg/{name}`: an HTML page for browsers; its "
    "outgoing and incoming triples plus its claim nodes as Turtle, JSON-LD or N-Triples by `Accept` "
    "or `?format=turtle|jsonld|ntriples`.",
    responses={
        200: {
            "description": "The page or the RDF twin",
            "content": {media: {} for media in _OFFERS.values() if media != "application/json"},
        },
        304: {"description": "The client's copy (If-None-Match) is current"},
        **error_responses(
            "invalid_resource_name",
            "no_such_resource",
            "not_acceptable",
            "invalid_parameter",
            "store_error",
            html=True,
        ),
    },
)
def resource(
    request: Request,
    runtime: RuntimeDep,
    name: Annotated[
        str,
        Path(description="The local name, e.g. dry-needling, sciatica, Modality", examples=["dry-needling"]),
    ],
    fmt: Annotated[
        str | None, Query(alias="format", description="turtle, jsonld or ntriples; overrides Accept")
    ] = None,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_OFFSET,
            description="Where the page starts: links skipped on the HTML page, triples skipped in RDF. "
            'A response with more to give links to its next page (`Link: <...>; rel="next"`).',
        ),
    ] = 0,
) -> Response:
    """Validate the name -> negotiate -> run the named queries -> present, with validators."""
    iri = resource_iri(name)
    representation = negotiate(request, fmt)
    graph = runtime.snapshot.graph
    if representation == "html":
        context = page_context(graph, name, iri, offset)
        response: Response = render("resource.html", page=context)
        next_offset = context["next_offset"]
    else:
        response, next_offset = rdf_response(graph, iri, representation, offset)
    response.headers.update(next_page_link(request, "offset", next_offset))
    etag = etag_for(request, graph, representation)
    return validated(request, response, etag, runtime.settings.cache_max_age_s)


def resource_iri(name: str) -> str:
    if not RESOURCE_NAME.fullmatch(name):
        shown = ascii(name[:60]) + ("..." if len(name) > 60 else "")
        raise ApiError("invalid_resource_name", f"{shown} is not a resource name: names are {_NAME_RULE}")
    return NKG + name


def negotiate(request: Request, override: str | None) -> str:
    return choose(request.headers.get("accept"), _OFFERS, override=override)


def rdf_response(
    graph: KnowledgeGraph, iri: str, representation: str, offset: int
) -> tuple[Response, int | None]:
    """One page of the resource's triples, and where the next page starts."""
    if not exists(graph, iri):
        raise _unknown(iri)
    media_type = _RDF_OFFERS.get(representation, _RDF_OFFERS["jsonld"])
    triples = graph.construct(RESOURCE_GRAPH_QUERY, {"resource": iri, "offset": offset}, media_type)
    return Response(triples.body, media_type=_OFFERS[representation]), triples.next_offset


def exists(graph: KnowledgeGraph, iri: str) -> bool:
    """Whether any triple mentions the resource. N-Triples: empty there means none, on any store, whereas
    an empty graph in Turtle or JSON-LD may still be prefixes or `[]`."""
    first = graph.construct(RESOURCE_GRAPH_QUERY, {"resource": iri, "limit": 1}, _RDF_OFFERS["ntriples"])
    return bool(first.body.strip())


def page_context(graph: KnowledgeGraph, name: str, iri: str, offset: int = 0) -> dict[str, Any]:
    """Everything the resource page shows, in one dict, so the template can change without the route."""
    if not exists(graph, iri):
        raise _unknown(iri)
    params = {"resource": iri}
    described = graph.run("describe_resource", params).rows
    links = graph.run("resource_links", {**params, "offset": offset})
    claims = graph.run("claims_about", params)
    first = described[0] if described else {}
    outgoing = [row for row in links.rows if _value(row, "direction") == "out"]
    other_names = _value(first, "otherNames")
    outgoing_groups = _groups(row for row in outgoing if not _is_type(row) and not _is_identifier(row))
    incoming_groups = _groups(row for row in links.rows if _value(row, "direction") == "in")
    label = _value(first, "resourceLabel") or name
    return {
        "name": name,
        "iri": iri,
        "label": label,
        "alt_labels": [label for label in other_names.split(", ") if label] if other_names else [],
        "definition": _value(first, "definition"),
        "definition_source": _value(first, "sections"),
        "definition_hedge": _value(first, "hedge"),
        "our_explanation": _value(first, "ourExplanation"),
        "types": [link_to(row["other"], row.get("otherLabel")) for row in outgoing if _is_type(row)],
        "identifiers": _groups(row for row in outgoing if _is_identifier(row)),
        "outgoing": outgoing_groups,
        "incoming": incoming_groups,
        "picture": layout(
            label, _picture_groups(outgoing_groups, False) + _picture_groups(incoming_groups, True)
        ),
        "claims": [_claim(row) for row in claims.rows],
        "truncated": links.truncated or claims.truncated,
        "offset": offset,
        "shown": len(links.rows),
        "next_offset": links.next_offset,
        "alternates": [
            {"media_type": _RDF_OFFERS[key], "href": f"?format={key}", "label": label}
            for key, label in _ALTERNATES
        ],
    }


def link_to(term: Term, label: Term | None = None) -> Link:
    """A term as something to show; literals and IRIs of any scheme but http(s) get no href."""
    if term.kind != "iri":
        return Link(label.value if label else term.value)
    return Link(label.value if label else short(term.value), href(term.value), term.value)


def property_link(term: Term, label: Term | None = None) -> Link:
    """A property with no label of its own reads as words: schema:possibleTreatment -> possible treatment."""
    if label is not None or term.kind != "iri":
        return link_to(term, label)
    local = re.split(r"[/#]", term.value)[-1]
    words = _CAMEL_BOUNDARY.sub(" ", local).lower() if local else short(term.value)
    return Link(words, href(term.value), term.value)


def _unknown(iri: str) -> ApiError:
    return ApiError("no_such_resource", f"no resource named '{iri[len(NKG) :]}' in the graph")


def _value(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _is_type(row: Row) -> bool:
    return _value(row, "property") == _RDF_TYPE


def _is_identifier(row: Row) -> bool:
    return _value(row, "property") in _IDENTIFIER_PROPERTIES


def _groups(rows: Iterable[Row]) -> list[LinkGroup]:
    """Rows of resource_links grouped by property, keeping the query's order."""
    groups: dict[str, LinkGroup] = {}
    for row in rows:
        prop = row["property"]
        group = groups.setdefault(prop.value, LinkGroup(property_link(prop, row.get("propertyLabel"))))
        group.values.append(link_to(row["other"], row.get("otherLabel")))
    return list(groups.values())


def _picture_groups(groups: list[LinkGroup], incoming: bool) -> list[Group]:
    """Only things with an IRI are drawn; literals (prices, notes) stay in the lists."""
    drawn = []
    for group in groups:
        neighbours = [Neighbour(value.text, value.href) for value in group.values if value.iri]
        if neighbours:
            drawn.append(Group(group.property.text, incoming, neighbours))
    return drawn


def _claim(row: Row) -> ClaimView:
    return ClaimView(
        claim=link_to(row["claim"]),
        fact=_value(row, "fact") or "",
        subject=link_to(row["subject"], row.get("subjectLabel")),
        predicate=property_link(row["predicate"], row.get("predicateLabel")),
        object=link_to(row["object"], row.get("objectLabel")),
        section=link_to(row["section"], row.get("sectionLabel")),
        article=link_to(row["article"], row.get("articleTitle")),
        hedge=_value(row, "hedge"),
        frequency=_value(row, "frequency"),
        severity=_value(row, "severity"),
    )
