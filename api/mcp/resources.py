"""The MCP resources: every graph resource as `needling://resource/{name}` (Turtle and JSON-LD), listed a
page at a time, the named-query catalogue and the source's sections. Everything here blocks."""

from __future__ import annotations

import json
import re

import mcp_types as types

from api.routes.queries import catalogue_entry, result_body
from api.routes.resource import RESOURCE_GRAPH_QUERY, exists, resource_iri
from api.templating import RESOURCE_NAME
from kg.catalogue.params import ParamError
from kg.engine import KnowledgeGraph
from kg.errors import NeedlingError
from kg.terms import NKG

SCHEME = "needling://"
RESOURCE_PREFIX = SCHEME + "resource/"
CATALOGUE_URI = SCHEME + "catalogue"
SECTIONS_URI = SCHEME + "sections"
LIST_QUERY = "list_resources"
SECTIONS_QUERY = "source_sections"
PAGE_SIZE = 100
"""Resources a `resources/list` page holds; the cursor is the offset of the next page."""
REPRESENTATIONS = ("text/turtle", "application/ld+json")
JSON = "application/json"
_CURSOR = re.compile(r"[0-9]{1,10}")

TEMPLATE = types.ResourceTemplate(
    name="resource",
    title="A resource of the graph",
    uri_template=RESOURCE_PREFIX + "{name}",
    description="One resource by its name (dry-needling, sciatica, Modality, claim-f29-1...): its triples "
    "and its claim nodes, as Turtle and as JSON-LD. General information from one article, not medical advice.",
    mime_type="text/turtle",
)
_FIXED = (
    types.Resource(
        name="catalogue",
        title="The named queries",
        uri=CATALOGUE_URI,
        description="Every named query: title, description, typed parameters, example questions. Each is "
        "also a tool of the same name.",
        mime_type=JSON,
    ),
    types.Resource(
        name="sections",
        title="The source and its parts",
        uri=SECTIONS_URI,
        description="The article every fact comes from, its parts in order and how many claims cite each.",
        mime_type=JSON,
    ),
)


class UnknownResource(NeedlingError):
    code = "no_such_resource"


def list_page(graph: KnowledgeGraph, cursor: str | None) -> types.ListResourcesResult:
    """One page of resources; the first page starts with the catalogue and the sections."""
    offset = _offset(cursor)
    result = graph.run(LIST_QUERY, {"limit": PAGE_SIZE, "offset": offset})
    names = [(row["resource"].value[len(NKG) :], row.get("label")) for row in result.rows]
    # The namespace's own IRI (the ontology) is a resource of the graph but has no name to read it by.
    listed = [_graph_resource(name, label) for name, label in names if RESOURCE_NAME.fullmatch(name)]
    first = list(_FIXED) if offset == 0 else []
    next_cursor = str(result.next_offset) if result.next_offset is not None else None
    return types.ListResourcesResult(resources=first + listed, next_cursor=next_cursor)


def read(graph: KnowledgeGraph, uri: str) -> types.ReadResourceResult:
    if uri == CATALOGUE_URI:
        entries = [catalogue_entry(query) for query in graph.catalogue]
        return _json(uri, entries)
    if uri == SECTIONS_URI:
        query = graph.query(SECTIONS_QUERY)
        return _json(uri, result_body(graph.run(SECTIONS_QUERY), query))
    if not uri.startswith(RESOURCE_PREFIX):
        raise UnknownResource(f"no resource {uri!r}: resources are {RESOURCE_PREFIX}{{name}}, {CATALOGUE_URI} "
                              f"and {SECTIONS_URI}")  # fmt: skip
    iri = resource_iri(uri[len(RESOURCE_PREFIX) :])  # invalid_resource_name for a name no resource can have
    if not exists(graph, iri):
        raise UnknownResource(f"no resource named '{iri[len(NKG) :]}' in the graph")
    contents: list[types.TextResourceContents | types.BlobResourceContents] = []
    for media in REPRESENTATIONS:
        body = graph.construct(RESOURCE_GRAPH_QUERY, {"resource": iri}, media).body
        contents.append(types.TextResourceContents(uri=uri, mime_type=media, text=body.decode("utf-8")))
    return types.ReadResourceResult(contents=contents)


def _graph_resource(name: str, label: object) -> types.Resource:
    title = getattr(label, "value", None)
    return types.Resource(
        name=name,
        title=title,
        uri=RESOURCE_PREFIX + name,
        mime_type="text/turtle",
    )


def _json(uri: str, body: object) -> types.ReadResourceResult:
    text = json.dumps(body, ensure_ascii=False)
    return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, mime_type=JSON, text=text)])


def _offset(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not _CURSOR.fullmatch(cursor):
        raise ParamError("cursor", "is not a cursor this server gave")
    return int(cursor)
