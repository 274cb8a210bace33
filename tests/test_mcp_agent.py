"""The scripted agent (`python -m bench.mcp_agent`): the SDK client and no model answer "what treats
sciatica, and at what cost" in two tool calls, `ask` then the named query its reply names, over each
transport; the transcript it writes says so."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, running_server

pytestmark = pytest.mark.server

QUESTION = "what treats sciatica, and at what cost"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running_server(NEEDLING_ACCESS_LOG="false") as url:
        yield url


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_the_agent_answers_in_two_calls_ask_then_the_named_query(
    transport: str, base: str, tmp_path: Path
) -> None:
    transcript = tmp_path / "agent.jsonl"
    where = ["--url", f"{base}/mcp"] if transport == "http" else ["--stdio"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.mcp_agent", *where, "--transcript", str(transcript), QUESTION],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    calls = [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]
    assert [call["tool"] for call in calls] == ["ask", "treatments_for_condition"]
    ask, query = calls
    assert ask["arguments"] == {"question": QUESTION}
    assert ask["result"]["answered"] is True
    named = ask["result"]["query"]
    assert (query["tool"], query["arguments"]) == (named["name"], named["params"])
    assert query["arguments"] == {"condition": "https://needling-kg.example.org/kg/sciatica"}
    prices = {row["therapyLabel"]: (row["minPrice"], row["maxPrice"]) for row in query["result"]["rows"]}
    assert prices == {"Dry needling": (50, 150), "Acupuncture": (70, 150)}
    assert not any(call["is_error"] for call in calls)
    assert "“averages around” $70–150 per session" in done.stdout  # the hedges are kept when quoted
    assert "not medical advice" in done.stdout
