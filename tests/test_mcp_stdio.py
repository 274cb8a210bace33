"""`needling mcp` as a desktop agent runs it: JSON-RPC lines in on standard input, nothing but JSON-RPC
lines out on standard output, every log line (the tool call's access-log line too) on standard error, and
a clean exit when the agent closes the pipe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

import pytest
from helpers import ROOT

pytestmark = pytest.mark.server

MESSAGES = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "ask", "arguments": {"question": "how much is dry needling"}}},
    {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "sparql", "arguments": {"query": "LOAD <http://example.org/>"}}},
]  # fmt: skip


def test_stdout_carries_only_the_protocol_and_the_logs_go_to_stderr() -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("NEEDLING_")}
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            cwd=ROOT,
            env={**environment, "NEEDLING_WATCH": "false"},
            text=True,
        )
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write("".join(json.dumps(message) + "\n" for message in MESSAGES))
            process.stdin.flush()
            replies: dict[int, dict] = {}
            while len(replies) < 3:  # the agent keeps the pipe open until it has its answers
                line = process.stdout.readline()
                assert line, "standard output closed before every request was answered"
                reply = json.loads(line)  # every line of standard output is a JSON-RPC message
                replies[reply["id"]] = reply
            process.stdin.close()  # the agent goes away: the server stops
            assert process.wait(timeout=60) == 0
            assert process.stdout.read() == ""
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        errors.seek(0)
        stderr = errors.read()
    assert all(reply["jsonrpc"] == "2.0" for reply in replies.values())
    assert replies[1]["result"]["serverInfo"]["name"] == "needling-kg"
    assert replies[1]["result"]["capabilities"]["tools"]["listChanged"] is True
    answer = replies[2]["result"]
    assert answer["isError"] is False and answer["structuredContent"]["answered"] is True
    refused = replies[3]["result"]
    assert refused["isError"] is True and refused["structuredContent"]["error"]["code"] == "update"
    assert re.search(r"loaded \d+ triples", stderr) and "needling-kg MCP server on stdio" in stderr
    calls = [
        json.loads(line.split(" needling.access ", 1)[1])
        for line in stderr.splitlines()
        if " needling.access " in line
    ]
    assert sorted((call["tool"], call["status"], call["transport"]) for call in calls) == [
        ("ask", "ok", "stdio"),
        ("sparql", "update", "stdio"),
    ]  # in the order they finished, which may not be the order they came in
