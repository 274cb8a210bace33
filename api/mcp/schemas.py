"""JSON Schemas of the MCP tools: a named query's input from its `.rq` header, its output from its form."""

from __future__ import annotations

from typing import Any

from kg.catalogue import NamedQuery, Param
from kg.catalogue.params import MAX_VALUE_LENGTH, ParamError, expand_iri, json_value
from kg.engine import KnowledgeGraph
from kg.terms import NKG, PREFIXES

MEMBERS_QUERY = "list_entities"
"""The named query that lists the members of a class: they become the enum of a `class=` parameter."""
_JSON_TYPES = {
    "iri": "string",
    "string": "string",
    "integer": "integer",
    "decimal": "number",
    "boolean": "boolean",
}

SELECT_OUTPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "vars": {"type": "array", "items": {"type": "string"}, "description": "The result variables"},
        "rows": {
            "type": "array",
            "items": {"type": "object"},
            "description": "One object a row: variable -> value (IRIs and text as strings, numbers as numbers)",
        },
        "truncated": {"type": "boolean", "description": "True when the row cap cut the answer short"},
        "elapsed_ms": {"type": "number"},
        "sparql": {"type": "string", "description": "The query as run, values bound in a VALUES block"},
        "page": {
            "type": "object",
            "description": "For a paged query: this page, and where the next starts (null: none)",
            "properties": {
                "limit": {"type": ["integer", "null"]},
                "offset": {"type": ["integer", "null"]},
                "next_offset": {"type": ["integer", "null"]},
            },
        },
    },
    "required": ["vars", "rows", "truncated", "elapsed_ms", "sparql"],
}
TRIPLES_OUTPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "media_type": {"type": "string", "const": "text/turtle"},
        "triples": {"type": "string", "description": "The triples, as Turtle"},
        "next_offset": {"type": ["integer", "null"], "description": "Where the next page starts; null: none"},
    },
    "required": ["media_type", "triples", "next_offset"],
}


def compact(iri: str) -> str:
    """An IRI as a parameter takes it most briefly: a bare name of our namespace, else a prefixed name."""
    if iri.startswith(NKG):
        return iri[len(NKG) :]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def class_members(graph: KnowledgeGraph, rdf_class: str) -> list[str]:
    """The IRIs of the graph's members of a class (a prefixed name), by the catalogue's own query."""
    if MEMBERS_QUERY not in graph.catalogue:
        return []
    rows = graph.run(MEMBERS_QUERY, {"type": rdf_class}).rows
    return sorted({row["entity"].value for row in rows if "entity" in row and row["entity"].kind == "iri"})


def input_schema(query: NamedQuery, graph: KnowledgeGraph) -> dict[str, Any]:
    """The tool's arguments: one property a `# param:` line, with its type, bounds, default and example."""
    properties = {param.name: _property(param, graph) for param in query.params}
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    required = [param.name for param in query.params if param.required]
    if required:
        schema["required"] = required
    return schema


def output_schema(query: NamedQuery) -> dict[str, Any]:
    return SELECT_OUTPUT if query.form == "SELECT" else TRIPLES_OUTPUT


def _property(param: Param, graph: KnowledgeGraph) -> dict[str, Any]:
    described = param.description or param.name
    if param.type == "iri":
        described += " (an IRI, a prefixed name such as nkg:sciatica, or a bare name such as sciatica)"
    schema: dict[str, Any] = {"type": _JSON_TYPES[param.type], "description": described}
    if param.type in ("iri", "string"):
        schema["maxLength"] = MAX_VALUE_LENGTH
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.default is not None:
        schema["default"] = json_value(param, param.default)
    if param.example is not None:
        schema["examples"] = [json_value(param, param.example)]
    if param.type == "iri" and param.rdf_class:
        enum = _enum(param, class_members(graph, param.rdf_class))
        if enum:
            schema["enum"] = enum
    return schema


def _enum(param: Param, members: list[str]) -> list[str] | None:
    """The graph's members of the parameter's class, each as a bare or prefixed name and as a full IRI (the
    form `ask` names them in). None when the header's own example or default is not among them: a schema
    that refused its own example would be worse than none."""
    if not members:
        return None
    values = {form for iri in members for form in (compact(iri), iri)}
    for given in (param.example, param.default):
        if given is None:
            continue
        try:
            expanded = expand_iri(param.name, given)
        except ParamError:
            return None
        if expanded not in members:
            return None
        values.add(given)
    return sorted(values)
