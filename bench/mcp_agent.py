"""A scripted agent: the SDK's MCP client and no model, answering a question in two tool calls.

    python -m bench.mcp_agent --url http://127.0.0.1:8000/mcp "what treats sciatica, and at what cost"
    python -m bench.mcp_agent --stdio --transcript agent.jsonl

It calls `ask`, then the named query the reply names (`query.name`, with `query.params` as its arguments),
as an agent following up on an answer would, and prints what the rows say, hedges included. Each call is
one JSON line of the transcript: the tool, its arguments and a short form of its result.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

QUESTION = "what treats sciatica, and at what cost"
ROOT = Path(__file__).resolve().parent.parent


def short(tool: str, result: dict[str, Any]) -> dict[str, Any]:
    """What a person reading the transcript needs: the answer's words and the query it names, or the rows
    without the SPARQL text."""
    if "error" in result:
        return result
    if tool == "ask":
        return {
            key: result.get(key) for key in ("answered", "text", "not_in_source", "query") if key in result
        } | {"query": {key: value for key, value in (result.get("query") or {}).items() if key != "sparql"}}
    return {"truncated": result.get("truncated"), "rows": result.get("rows", [])}


async def run(client: Client, question: str, transcript: IO[str]) -> list[dict[str, Any]]:
    """The two calls; each is written to the transcript as it is made."""
    calls: list[dict[str, Any]] = []

    async def call(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await client.call_tool(tool, arguments)
        body = dict(result.structured_content or {})
        line = {
            "tool": tool,
            "arguments": arguments,
            "is_error": bool(result.is_error),
            "result": short(tool, body),
        }
        transcript.write(json.dumps(line, ensure_ascii=False) + "\n")
        transcript.flush()
        calls.append(line)
        return body

    reply = await call("ask", {"question": question})
    named = reply.get("query")
    if named:
        await call(named["name"], dict(named.get("params") or {}))
    return calls


def say(calls: list[dict[str, Any]]) -> str:
    """The rows of the follow-up in words: each therapy, its price range and the article's hedge."""
    lines = [calls[0]["result"].get("text", "")]
    for row in calls[-1]["result"].get("rows", []) if len(calls) > 1 else []:
        label = row.get("therapyLabel") or row.get("modalityLabel") or next(iter(row.values()), "")
        price = f"${row['minPrice']}–{row['maxPrice']} per session" if "minPrice" in row else "no price given"
        if row.get("costHedge"):  # the article's hedge on the price stays with the price
            price = f"“{row['costHedge']}” {price}"
        hedge = f" (the source says “{row['hedge']}”)" if row.get("hedge") else ""
        lines.append(f"- {label}: {price}{hedge}")
    lines.append("General information from one article, not medical advice.")
    return "\n".join(lines)


def client_for(args: argparse.Namespace) -> Client:
    if args.stdio:
        params = StdioServerParameters(command=sys.executable, args=["-m", "api", "mcp"], cwd=ROOT)
        return Client(stdio_client(params, errlog=sys.stderr))
    return Client(args.url)


async def main_async(args: argparse.Namespace) -> int:
    opened = open(args.transcript, "w", encoding="utf-8") if args.transcript else None  # noqa: SIM115
    with opened or contextlib.nullcontext(io.StringIO()) as transcript:
        async with client_for(args) as client:
            calls = await run(client, args.question, transcript)
    print(say(calls))
    return 0 if len(calls) == 2 and not any(call["is_error"] for call in calls) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question", nargs="?", default=QUESTION)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", default="http://127.0.0.1:8000/mcp", help="the Streamable HTTP endpoint")
    where.add_argument("--stdio", action="store_true", help="start `needling mcp` and talk to it on stdio")
    parser.add_argument("--transcript", type=Path, help="write the calls here, one JSON line each")
    args = parser.parse_args(argv)
    return anyio.run(main_async, args)


if __name__ == "__main__":
    sys.exit(main())
