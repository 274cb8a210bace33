"""The MCP tools as an agent sees them, over both transports, against the HTTP API of a real server.

The SDK's own client lists the tools and calls each one with the examples of its `.rq` header; every
answer must equal what the HTTP API gives for the same call. Refusals (bad parameters, a SPARQL update or
SERVICE, a query past its deadline) come back as tool errors with the HTTP API's codes, and the session
goes on answering after each. The expectations are read from the catalogue and the graph, not written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from helpers import running_server
from mcp_helpers import TRANSPORTS, error_of, mcp_client, run, structured, without_timing

from kg import DEFAULT_QUERIES
from kg.catalogue import NamedQuery, Param, load_catalogue

pytestmark = pytest.mark.server

SETTINGS = {"NEEDLING_DEADLINE_S": "1", "NEEDLING_ACCESS_LOG": "false"}
"""A short deadline, so that a query past it is quick to show; the same for the server and `needling mcp`."""
CATALOGUE = load_catalogue(DEFAULT_QUERIES)
NAMED = [query for query in CATALOGUE if query.name not in ("ask", "sparql", "describe")]
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""(3,000 triples)^3 rows to count: far past a one-second deadline."""
CAUTION_WORDS = ("not medical advice", "hedges")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running_server(**SETTINGS) as url:
        yield url


@pytest.fixture(scope="module")
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as client:
        yield client


def typed(param: Param, text: str) -> object:
    """A header's example (text) as the JSON value an agent sends for the parameter's type."""
    if param.type == "integer":
        return int(text)
    if param.type == "decimal":
        return float(text) if "." in text else int(text)
    if param.type == "boolean":
        return text.lower() in ("true", "1")
    return text


def header_examples(query: NamedQuery) -> dict[str, str]:
    return {param.name: param.example for param in query.params if param.example is not None}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_tools_and_their_schemas_follow_the_rq_headers(
    transport: str, base: str, http: httpx.Client
) -> None:
    async def scenario() -> dict[str, Any]:
        async with mcp_client(transport, base, SETTINGS) as client:
            return {tool.name: tool for tool in (await client.list_tools()).tools}

    tools = run(scenario)
    assert set(tools) == {"ask", "sparql", "describe"} | {query.name for query in NAMED}
    for tool in tools.values():
        assert all(words in (tool.description or "") for words in CAUTION_WORDS), tool.name
        assert tool.output_schema is not None and tool.output_schema["type"] == "object", tool.name
    for query in NAMED:
        schema = tools[query.name].input_schema
        assert schema["additionalProperties"] is False
        assert sorted(schema.get("required", [])) == sorted(p.name for p in query.params if p.required)
        assert sorted(schema["properties"]) == sorted(p.name for p in query.params)
        for param in query.params:
            shown = schema["properties"][param.name]
            expected_type = {"iri": "string", "string": "string", "decimal": "number"}.get(
                param.type, param.type
            )
            assert shown["type"] == expected_type, (query.name, param.name)
            assert shown.get("minimum") == param.minimum and shown.get("maximum") == param.maximum
            assert param.description in shown["description"]
            if param.example is not None:
                assert shown["examples"] == [typed(param, param.example)], (query.name, param.name)
            if param.default is not None:
                assert shown["default"] == typed(param, param.default), (query.name, param.name)
            if "enum" in shown:  # the graph's members of the parameter's class, short and in full
                members = http.get("/api/queries/list_entities", params={"type": param.rdf_class}).json()
                iris = {row["entity"] for row in members["rows"]}
                assert {value for value in shown["enum"] if value.startswith("https://")} == iris
                assert all(given in shown["enum"] for given in (param.example, param.default) if given)
    enums = [
        (query.name, param.name)
        for query in NAMED
        for param in query.params
        if "enum" in tools[query.name].input_schema["properties"][param.name]
    ]
    assert ("treatments_for_condition", "condition") in enums


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_every_tool_answers_its_examples_as_the_http_api_does(
    transport: str, base: str, http: httpx.Client
) -> None:
    question = "what treats sciatica, and at what cost"
    sparql = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?x ?l WHERE { ?x skos:prefLabel ?l } ORDER BY ?x LIMIT 5"

    async def scenario() -> dict[str, Any]:
        answers: dict[str, Any] = {}
        async with mcp_client(transport, base, SETTINGS) as client:
            for query in NAMED:
                arguments = {
                    name: typed(query.param(name), text)  # type: ignore[arg-type]
                    for name, text in header_examples(query).items()
                }
                result = await client.call_tool(query.name, arguments)
                assert not result.is_error, (query.name, result.structured_content)
                answers[query.name] = structured(result)
            answers["ask"] = structured(await client.call_tool("ask", {"question": question}))
            answers["sparql"] = structured(await client.call_tool("sparql", {"query": sparql}))
            answers["describe"] = structured(await client.call_tool("describe", {"resource": "sciatica"}))
        return answers

    answers = run(scenario)
    for query in NAMED:
        given = header_examples(query)
        if query.form == "SELECT":
            expected = http.get(f"/api/queries/{query.name}", params=given).json()
            assert without_timing(answers[query.name]) == without_timing(expected), query.name
        else:
            response = http.get(f"/api/queries/{query.name}", params=given, headers={"Accept": "text/turtle"})
            assert answers[query.name]["triples"] == response.text, query.name
    assert answers["ask"] == http.get("/api/ask", params={"q": question}).json()
    assert answers["ask"]["answers"] and answers["ask"]["note"]
    assert answers["sparql"] == {
        "results": http.get(
            "/sparql", params={"query": sparql}, headers={"Accept": "application/sparql-results+json"}
        ).json(),
        "truncated": False,
    }
    claims = http.get("/api/queries/claims_about", params={"resource": "sciatica"}).json()["rows"]
    described = answers["describe"]
    assert described["label"] == "Sciatica"
    assert sorted(claim["claim"]["iri"] for claim in described["claims"]) == sorted(
        row["claim"] for row in claims
    )
    assert all(claim["section"]["text"] for claim in described["claims"])
    assert {claim["hedge"] for claim in described["claims"]} == {row.get("hedge") for row in claims}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_refusals_are_tool_errors_with_the_http_codes_and_the_session_goes_on(
    transport: str, base: str, http: httpx.Client
) -> None:
    calls: list[tuple[str, dict[str, Any], str, httpx.Response]] = [
        ("treatments_under_price", {"max_price": "cheap"}, "invalid_parameter",
         http.get("/api/queries/treatments_under_price", params={"max_price": "cheap"})),
        ("treatments_for_condition", {}, "invalid_parameter", http.get("/api/queries/treatments_for_condition")),
        ("resource_links", {"resource": "qi", "limit": 0}, "invalid_parameter",
         http.get("/api/queries/resource_links", params={"resource": "qi", "limit": 0})),
        ("cost_of_modality", {"colour": "red"}, "invalid_parameter",
         http.get("/api/queries/cost_of_modality", params={"colour": "red"})),
        ("sparql", {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, "update",
         http.post("/sparql", data={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})),
        ("sparql", {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, "service",
         http.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})),
        ("sparql", {"query": CARTESIAN}, "timeout", http.get("/sparql", params={"query": CARTESIAN})),
        ("describe", {"resource": "no-such-thing"}, "no_such_resource", http.get("/resource/no-such-thing", headers={"Accept": "text/turtle"})),
        ("ask", {"question": "  "}, "invalid_parameter", http.get("/api/ask", params={"q": "  "})),
        ("no_such_tool", {}, "unknown_query", http.get("/api/queries/no_such_tool")),
    ]  # fmt: skip
    for name, _, code, response in calls:
        assert response.status_code >= 400 and response.json()["error"]["code"] == code, (name, response.text)

    async def scenario() -> list[tuple[dict[str, str], dict[str, Any]]]:
        seen = []
        async with mcp_client(transport, base, SETTINGS) as client:
            for name, arguments, _, _ in calls:
                error = error_of(await client.call_tool(name, arguments))
                after = structured(await client.call_tool("cheapest_modality", {}))  # the session goes on
                seen.append((error, after))
        return seen

    for (name, _, code, response), (error, after) in zip(calls, run(scenario), strict=True):
        assert error["code"] == code, (name, error)
        assert error["message"], name
        if code == "invalid_parameter":  # both name the parameter: "parameter 'max_price': ..."
            assert error["message"].split(":")[0] == response.json()["error"]["message"].split(":")[0], name
        assert after["rows"], name


def test_json_values_are_read_as_the_http_api_reads_their_text(base: str, http: httpx.Client) -> None:
    """A decimal keeps its digits, a whole float is a whole number, and a list is no value at all."""

    async def scenario() -> list[Any]:
        async with mcp_client("http", base) as client:
            return [
                await client.call_tool("treatments_under_price", {"max_price": 59.5}),
                await client.call_tool("resource_links", {"resource": "qi", "limit": 2.0}),
                await client.call_tool("treatments_for_condition", {"condition": ["sciatica", "back-pain"]}),
            ]

    price, links, listed = run(scenario)
    expected = http.get("/api/queries/treatments_under_price", params={"max_price": "59.5"}).json()
    assert without_timing(structured(price)) == without_timing(expected)
    assert len(structured(links)["rows"]) == 2
    assert error_of(listed) == {
        "code": "invalid_parameter",
        "message": "parameter 'condition': must be a single value, not a list or an object",
    }


def test_timeouts_are_counted_whichever_way_the_query_came(base: str, http: httpx.Client) -> None:
    """`needling_query_timeouts_total` counts a query stopped at its deadline, from /sparql or the tool."""

    def timeouts() -> float:
        lines = http.get("/metrics").text.splitlines()
        return float(
            next(line for line in lines if line.startswith("needling_query_timeouts_total ")).split()[1]
        )

    async def scenario() -> dict[str, str]:
        async with mcp_client("http", base) as client:
            return error_of(await client.call_tool("sparql", {"query": CARTESIAN}))

    before = timeouts()
    assert http.get("/sparql", params={"query": CARTESIAN}).json()["error"]["code"] == "timeout"
    assert run(scenario)["code"] == "timeout"
    assert timeouts() - before == 2
