"""The MCP tools: what they are (names, descriptions, schemas) and what each call does, through the same
service functions as the HTTP routes: the question answerer, `KnowledgeGraph.run`, the guard and the
ad-hoc runner, the resource page's context. Everything here blocks; the server runs it on threads."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import mcp_types as types

from api.mcp.schemas import SELECT_OUTPUT, TRIPLES_OUTPUT, input_schema, output_schema
from api.routes.ask import answer
from api.routes.queries import result_body
from api.routes.resource import page_context, resource_iri
from api.state import Runtime
from kg.adhoc.guard import check_query
from kg.catalogue import NamedQuery
from kg.catalogue.params import ParamError
from kg.engine import KnowledgeGraph
from kg.errors import NeedlingError
from kg.qa.model import Reply
from kg.terms import NKG

ASK, SPARQL, DESCRIBE = "ask", "sparql", "describe"
BUILT_IN = (ASK, SPARQL, DESCRIBE)
CAUTION = (
    "Answers are general information from one consumer article (Dry Needling vs Acupuncture), not medical "
    "advice. When quoting, keep the article's hedges ('may', 'often', 'can be', 'in rare instances') next "
    "to the statements they qualify, and cite the section given with each fact."
)
TURTLE = "text/turtle"
_READ_ONLY = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)


def tool_list(graph: KnowledgeGraph) -> list[types.Tool]:
    """The built-in tools, then one tool per named query, named after it (a query named like a built-in
    tool is left out: the built-in keeps its name)."""
    tools = [_ask_tool(), _sparql_tool(graph), _describe_tool()]
    tools += [_query_tool(query, graph) for query in graph.catalogue if query.name not in BUILT_IN]
    return tools


def call(runtime: Runtime, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The structured answer of `ask`, `describe` or a named query (`sparql` goes through the query lane:
    see `sparql`). Failures raise a `NeedlingError` with the code the HTTP API would answer with."""
    if name == ASK:
        return ask(runtime, arguments)
    if name == DESCRIBE:
        return describe(runtime.snapshot.graph, arguments)
    return run_named(runtime.snapshot.graph, name, arguments)


def ask(runtime: Runtime, arguments: Mapping[str, Any]) -> dict[str, Any]:
    _only(ASK, arguments, ("question",))
    question = arguments.get("question")
    if not isinstance(question, str):
        raise ParamError("question", "is required: a question in plain words, e.g. what treats sciatica")
    # Validated and dumped as the /api/ask route's response model does it, so both give the same JSON.
    reply = Reply.model_validate(answer(runtime, question))
    return reply.model_dump(mode="json", exclude_unset=True, by_alias=True)


def run_named(graph: KnowledgeGraph, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    query = graph.query(name)  # unknown_query, naming the known ones
    given = {key: _plain(key, value) for key, value in arguments.items() if value is not None}
    if query.form == "SELECT":
        return result_body(graph.run(name, given), query)
    triples = graph.construct(name, given, TURTLE)
    return {"media_type": TURTLE, "triples": triples.body.decode("utf-8"), "next_offset": triples.next_offset}


def sparql(runtime: Runtime, arguments: Mapping[str, Any], arrived: float) -> dict[str, Any]:
    """Guard the query, then run exactly the guarded text on the snapshot's runner, under the deadline
    counted from `arrived`, as `/sparql` does (and, like it, on the query lane's threads)."""
    _only(SPARQL, arguments, ("query",))
    text = arguments.get("query")
    if not isinstance(text, str) or not text.strip():
        raise ParamError("query", "is required: a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query")
    guarded = check_query(text, max_length=runtime.settings.max_query_chars)
    select = guarded.form in ("SELECT", "ASK")
    result = runtime.snapshot.runner().run(guarded, "json" if select else "turtle", started=arrived)
    body = result.body.decode("utf-8")
    if not select:
        return {"media_type": TURTLE, "triples": body, "truncated": result.truncated}
    return {"results": json.loads(body), "truncated": result.truncated}


def describe(graph: KnowledgeGraph, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """What the resource page shows, as data: labels, definition, types, links both ways and the claims
    about it, each with its section and hedge."""
    _only(DESCRIBE, arguments, ("resource", "offset"))
    given = arguments.get("resource")
    if not isinstance(given, str) or not given:
        raise ParamError("resource", "is required: a resource name such as dry-needling or sciatica")
    name = given[len(NKG) :] if given.startswith(NKG) else given.removeprefix("nkg:")
    offset = arguments.get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ParamError("offset", f"must be a whole number of at least 0, got {offset!r}")
    context = page_context(graph, name, resource_iri(name), offset)
    kept = {key: value for key, value in context.items() if key not in ("picture", "alternates")}
    return json.loads(json.dumps(kept, default=_as_data))


def error_result(exc: NeedlingError) -> types.CallToolResult:
    """A refusal as the tool's answer: `isError`, with the code and message the HTTP API would give."""
    body = {"error": {"code": exc.code, "message": str(exc)}}
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(body))],
        structured_content=body,
        is_error=True,
    )


def ok_result(body: dict[str, Any]) -> types.CallToolResult:
    """The structured answer, and the same as JSON text for clients that read only text."""
    text = json.dumps(body, ensure_ascii=False)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=body)


def now() -> float:
    """When a call arrived: the ad-hoc deadline counts from here, as it counts from a request's arrival."""
    return time.monotonic()


def _only(tool: str, arguments: Mapping[str, Any], accepted: tuple[str, ...]) -> None:
    unknown = sorted(set(arguments) - set(accepted))
    if unknown:
        raise ParamError(unknown[0], f"not an argument of '{tool}' (it takes: {', '.join(accepted)})")


def _plain(name: str, value: object) -> object:
    """A JSON argument as the parameter binder reads request text: a number with all its digits (0.00001,
    not 1e-05); a list or an object is not a value of any parameter."""
    if isinstance(value, list | dict):
        raise ParamError(name, "must be a single value, not a list or an object")
    if isinstance(value, float):  # 5.0 is a whole number to JSON Schema too
        return int(value) if value.is_integer() else format(Decimal(repr(value)), "f")
    return value


def _as_data(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not data")


def _text_input(name: str, description: str, example: str) -> dict[str, object]:
    """The input schema of a tool that takes one required string and nothing else."""
    return {
        "type": "object",
        "properties": {name: {"type": "string", "description": description, "examples": [example]}},
        "required": [name],
        "additionalProperties": False,
    }


def _ask_tool() -> types.Tool:
    return types.Tool(
        name=ASK,
        title="Ask a question in plain words",
        description="Answer a question about dry needling and acupuncture (treatments for a condition, "
        "cost, risks, origin, practitioners, comparisons) from the knowledge graph, with each answer's "
        "sources and hedges; `not_in_source` names what the article does not cover, and `query` names the "
        "named query (a tool of the same name) and parameters that answered it. " + CAUTION,
        input_schema=_text_input(
            "question", "The question, as a person would type it", "what treats sciatica, and at what cost"
        ),
        output_schema=Reply.model_json_schema(mode="serialization"),
        annotations=_READ_ONLY,
    )


def _sparql_tool(graph: KnowledgeGraph) -> types.Tool:
    return types.Tool(
        name=SPARQL,
        title="Run a read-only SPARQL query",
        description="Run a SPARQL 1.1 SELECT, ASK, CONSTRUCT or DESCRIBE query on the graph. Updates, SERVICE, "
        "FROM and LOAD are refused; the query is stopped at the deadline (a `timeout` error, never a partial "
        "answer) and rows stop at the row cap (`truncated`). SELECT and ASK answer in the SPARQL 1.1 JSON "
        "results format under `results`; CONSTRUCT and DESCRIBE as Turtle under `triples`. Every fact has a "
        "claim node (nkg:Claim) with its section (dcterms:source) and hedge (nkg:hedge). " + CAUTION,
        input_schema=_text_input(
            "query",
            "The SPARQL query text",
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?x ?label WHERE "
            "{ ?x skos:prefLabel ?label } LIMIT 10",
        ),
        output_schema={
            "type": "object",
            "properties": {
                "results": {"type": "object", "description": "SPARQL 1.1 JSON results (SELECT, ASK)"},
                "media_type": TRIPLES_OUTPUT["properties"]["media_type"],
                "triples": TRIPLES_OUTPUT["properties"]["triples"],
                "truncated": SELECT_OUTPUT["properties"]["truncated"],
            },
            "required": ["truncated"],
        },
        annotations=_READ_ONLY,
    )


def _describe_tool() -> types.Tool:
    return types.Tool(
        name=DESCRIBE,
        title="Describe one resource",
        description="Everything the graph says about one resource (a modality, condition, risk, technique, "
        "section...): labels, definition, types, links in both directions, and the claims about it, each "
        "with the part of the article it comes from and its hedge. `our_explanation` is ours, not the "
        "article's. Links come 200 at a time: pass `next_offset` as `offset` for more. " + CAUTION,
        input_schema={
            "type": "object",
            "properties": {
                "resource": {
                    "type": "string",
                    "description": "A resource name (dry-needling, sciatica, Modality) or its full IRI",
                    "examples": ["dry-needling"],
                },
                "offset": {"type": "integer", "minimum": 0, "default": 0, "description": "Links to skip"},
            },
            "required": ["resource"],
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {
                "iri": {"type": "string"},
                "label": {"type": "string"},
                "claims": {"type": "array", "items": {"type": "object"}},
                "outgoing": {"type": "array", "items": {"type": "object"}},
                "incoming": {"type": "array", "items": {"type": "object"}},
                "next_offset": {"type": ["integer", "null"]},
            },
            "required": ["iri", "label", "claims", "outgoing", "incoming"],
        },
        annotations=_READ_ONLY,
    )


def _query_tool(query: NamedQuery, graph: KnowledgeGraph) -> types.Tool:
    lines = [query.description]
    if query.examples:
        lines.append("Questions it answers: " + "; ".join(f"“{e}”" for e in query.examples))
    lines.append(CAUTION)
    return types.Tool(
        name=query.name,
        title=query.title,
        description="\n\n".join(lines),
        input_schema=input_schema(query, graph),
        output_schema=output_schema(query),
        annotations=_READ_ONLY,
    )
