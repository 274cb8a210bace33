"""Hostile input, in one place, named by threat.

Every case expects a refusal a person can read: a 4xx (or a 503 with the code `timeout` when a query
passes its deadline, `overloaded` when too many wait) with a JSON `{"error": {"code", "message"}}` body,
or an HTML error page for a browser; never a traceback; and the server answers `/healthz` within a second
afterwards.

The bombs (CPU, memory, some parser bombs, raw oversized requests) run against a real uvicorn process
with a 2 s deadline and a 300 MB worker memory limit. The attacks of issue 14 that reach below the app
(the HTTP parser, threads, connections, a remote store) run against `needling serve` itself, as deployed
(`tests/real_server.py`), with raw sockets where a client library would tidy the request up; the memory
test reads the server's RSS and the stall tests time `/healthz` from a second client. Everything else
uses the shared TestClient.

Threats, one section each: query-language attacks, CPU bombs, memory bombs, parser bombs, parameter
injection, wrong types, XSS, path tricks, absurd Accept headers, oversized input; then cache poisoning,
memory through cache keys, header floods, pool starvation, leaked store credentials and stale remote
answers, client disconnects, methods, the Host header in redirects, slow clients, small leaks.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import select
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import (
    PasswordProxy,
    Served,
    connect,
    needling_serve,
    oxigraph_server,
    raw_exchange,
    read_until_closed,
    running_server,
    send_head_in_chunks,
    status_of,
    timed_health,
)

from kg import DEFAULT_QUERIES
from kg.catalogue import NamedQuery, Param, load_catalogue

DEADLINE_S = 2.0
HEALTH_BUDGET_S = 1.0
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORM = "application/x-www-form-urlencoded"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there, and nothing may try
SCRIPT = "<script>alert(1)</script>"
CATALOGUE = list(load_catalogue(DEFAULT_QUERIES))
HTML_MESSAGE = re.compile(r'<p class="error-message"[^>]*>(.*?)</p>', re.S)
JSON_TYPE = {"content-type": "application/json"}

Client = TestClient | httpx.Client


# --------------------------------------------------------------------------- shared assertions


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text, text[:2000]
    assert 'File "' not in text, text[:2000]


def assert_json_error(
    response: httpx.Response, statuses: tuple[int, ...], codes: tuple[str, ...] | None = None
) -> dict[str, str]:
    """A refusal in the JSON error contract, with a code and a message meant for a person."""
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:500]}"
    assert_no_traceback(response.text)
    assert response.headers["content-type"].startswith("application/json"), response.text[:500]
    error: dict[str, str] = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and len(error["message"]) >= 10, error
    if codes is not None:
        assert error["code"] in codes, f"code {error['code']!r}, expected one of {codes}: {error['message']}"
    return error


def assert_html_error(response: httpx.Response, statuses: tuple[int, ...]) -> str:
    """A refusal as an HTML page with the message in it; returns the message as shown (escaped)."""
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:500]}"
    assert_no_traceback(response.text)
    assert response.headers["content-type"].startswith("text/html"), response.text[:500]
    found = HTML_MESSAGE.search(response.text)
    assert found is not None, "no error message on the page"
    assert len(found.group(1).strip()) >= 10
    return found.group(1)


def assert_healthy(http: Client) -> None:
    started = time.perf_counter()
    if isinstance(http, TestClient):
        response = http.get("/healthz")
    else:
        response = http.get("/healthz", timeout=HEALTH_BUDGET_S)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    assert response.json()["status"] == "ok"
    assert elapsed < HEALTH_BUDGET_S, f"/healthz took {elapsed:.2f} s"


def assert_raw_refusal(status: int, body: bytes) -> None:
    """A refusal from below the app (the HTTP parser): a 4xx, no traceback."""
    assert 400 <= status < 500, (status, body[:300])
    assert_no_traceback(body.decode("utf-8", "replace"))


# --------------------------------------------------------------------------- a real server for the bombs


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server(
        NEEDLING_DEADLINE_S=str(DEADLINE_S), NEEDLING_WATCH="false", NEEDLING_WORKER_MEMORY_MB="300"
    ) as base:
        yield base


@pytest.fixture
def live(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=DEADLINE_S + 10) as client:
        yield client


def port_of(server: str) -> int:
    return int(server.rsplit(":", 1)[1])


def raw_get(server: str, target: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A GET with the target sent exactly as given: no client-side normalization or length limits."""
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=10)
    try:
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def light_requests_keep_answering(server: str, heavy: threading.Thread) -> list[float]:
    """While `heavy` runs, light requests (health, a named query, a tiny SPARQL) each answer within 1 s."""
    latencies: list[float] = []
    with httpx.Client(base_url=server, timeout=5) as light:
        probe = 0
        while probe == 0 or (heavy.is_alive() and probe < 60):
            probe += 1
            # A fresh Accept parameter each time keeps the response cache from answering for the route.
            accept = {"Accept": f"application/json; probe={probe}"}
            for method, url, data in (
                ("GET", "/healthz", None),
                ("GET", "/api/queries/cost_of_modality?modality=dry-needling", None),
                ("POST", "/sparql", {"query": f"ASK {{ ?s ?p ?o }} # probe {probe}"}),
            ):
                started = time.perf_counter()
                response = light.request(method, url, data=data, headers=accept)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, f"{url} during a bomb: {response.text[:300]}"
            time.sleep(0.05)
    assert max(latencies) < 1.0, f"slowest light request during the bomb: {max(latencies):.2f} s"
    return latencies


def run_bomb(server: str, query: str) -> tuple[httpx.Response, float]:
    """Send `query` in a thread while light traffic checks the service; return the answer and its time."""
    outcome: dict[str, Any] = {}

    def heavy() -> None:
        started = time.perf_counter()
        try:
            outcome["response"] = httpx.post(
                f"{server}/sparql", data={"query": query}, timeout=DEADLINE_S + 10
            )
        except httpx.HTTPError as exc:  # a hang or a dropped connection: reported below
            outcome["error"] = exc
        outcome["elapsed"] = time.perf_counter() - started

    thread = threading.Thread(target=heavy, daemon=True)
    thread.start()
    time.sleep(0.1)  # the bomb is in its worker by now
    light_requests_keep_answering(server, thread)
    thread.join(timeout=DEADLINE_S + 15)
    assert not thread.is_alive(), "the bomb never got an answer"
    assert "error" not in outcome, f"the bomb got no HTTP answer: {outcome.get('error')!r}"
    return outcome["response"], outcome["elapsed"]


def workers_answer(server: str) -> None:
    """The pool answers two small queries sent at once: a killed worker was replaced, none is stuck."""
    answers: list[httpx.Response] = []

    def ask(n: int) -> None:
        answers.append(httpx.post(f"{server}/sparql", data={"query": f"ASK {{}} # after {n}"}, timeout=5))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert [a.status_code for a in answers] == [200, 200], [a.text[:200] for a in answers]
    assert all(a.json()["boolean"] is True for a in answers)


# =========================================================================== query-language attacks

# name -> (query, the refusal codes that fit it when it arrives in a query slot)
LANGUAGE_ATTACKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "service": (f"SELECT * WHERE {{ SERVICE <{NOWHERE}/> {{ ?s ?p ?o }} }}", ("service",)),
    "service_silent": (f"SELECT * WHERE {{ SERVICE SILENT <{NOWHERE}/> {{ ?s ?p ?o }} }}", ("service",)),
    "service_mixed_case": (f"select * where {{ SeRvIcE <{NOWHERE}/> {{ ?s ?p ?o }} }}", ("service",)),
    "service_escaped_keyword": (
        r"SELECT * WHERE { \u0053ERVICE <" + NOWHERE + r"/> { ?s ?p ?o } }",
        ("service",),
    ),
    # Undecoded, SERVICE sits inside one string; decoded, each \u0022 is a quote and SERVICE is live.
    "service_escaped_quote": (
        r'SELECT * WHERE { BIND("a\u0022 AS ?s) SERVICE <'
        + NOWHERE
        + r'/> { ?x ?y ?z } FILTER(?z != \u0022b") }',
        ("service",),
    ),
    "escape_of_an_escape": (
        r"SELECT * WHERE { \u005Cu0053ERVICE <" + NOWHERE + "/> { ?s ?p ?o } }",
        ("escape",),
    ),
    "load": (f"LOAD <{NOWHERE}/data.ttl>", ("update",)),
    "from": (f"SELECT * FROM <{NOWHERE}/g> WHERE {{ ?s ?p ?o }}", ("dataset",)),
    "from_file": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", ("dataset",)),
    "from_named": (f"SELECT * FROM NAMED <{NOWHERE}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", ("dataset",)),
    "insert_data": ("INSERT DATA { <urn:s> <urn:p> <urn:o> }", ("update",)),
    "insert_escaped": (r"\u0049NSERT DATA { <urn:s> <urn:p> <urn:o> }", ("update",)),
    "delete_where": ("DELETE WHERE { ?s ?p ?o }", ("update",)),
    "drop_all": ("DROP ALL", ("update",)),
    "clear": ("CLEAR DEFAULT", ("update",)),
    "create": ("CREATE GRAPH <urn:g>", ("update",)),
    "add": ("ADD DEFAULT TO <urn:g>", ("update",)),
    "move": ("MOVE DEFAULT TO <urn:g>", ("update",)),
    "copy": ("COPY DEFAULT TO <urn:g>", ("update",)),
    "select_then_update": ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", ("update",)),
}
QUERY_SLOTS = ("GET query=", "POST form query=", "POST sparql-query body")
UPDATE_SLOTS = ("GET update=", "POST form update=", "POST sparql-update body")


def send_in_slot(http: Client, slot: str, text: str) -> httpx.Response:
    if slot == "GET query=":
        return http.get("/sparql", params={"query": text})
    if slot == "POST form query=":
        return http.post("/sparql", data={"query": text})
    if slot == "POST sparql-query body":
        return http.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query"})
    if slot == "GET update=":
        return http.get("/sparql", params={"update": text})
    if slot == "POST form update=":
        return http.post("/sparql", data={"update": text})
    if slot == "POST sparql-update body":
        return http.post("/sparql", content=text, headers={"Content-Type": "application/sparql-update"})
    raise AssertionError(slot)


class TestQueryLanguageAttacks:
    @pytest.mark.parametrize("slot", QUERY_SLOTS)
    @pytest.mark.parametrize("attack", LANGUAGE_ATTACKS)
    def test_refused_in_a_query_slot(self, client: TestClient, attack: str, slot: str) -> None:
        query, codes = LANGUAGE_ATTACKS[attack]
        assert_json_error(send_in_slot(client, slot, query), (400,), codes)
        assert_healthy(client)

    @pytest.mark.parametrize("slot", UPDATE_SLOTS)
    @pytest.mark.parametrize("attack", LANGUAGE_ATTACKS)
    def test_refused_in_an_update_slot(self, client: TestClient, attack: str, slot: str) -> None:
        query, _ = LANGUAGE_ATTACKS[attack]
        error = assert_json_error(send_in_slot(client, slot, query), (400,), ("update",))
        assert "read-only" in error["message"]
        assert_healthy(client)

    @pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
    @pytest.mark.parametrize("slot", QUERY_SLOTS)
    def test_dataset_parameters_are_refused(self, client: TestClient, name: str, slot: str) -> None:
        query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
        target = "file:///etc/passwd"
        if slot == "GET query=":
            response = client.get("/sparql", params={"query": query, name: target})
        elif slot == "POST form query=":
            response = client.post("/sparql", data={"query": query, name: target})
        else:
            response = client.post(
                "/sparql",
                params={name: target},
                content=query,
                headers={"Content-Type": "application/sparql-query"},
            )
        error = assert_json_error(response, (400,), ("dataset",))
        assert name in error["message"]
        assert "root:" not in response.text
        assert_healthy(client)

    def test_the_graph_is_unchanged_after_the_updates(self, client: TestClient) -> None:
        for query in ("ASK { <urn:s> ?p ?o }", "ASK { GRAPH <urn:g> { ?s ?p ?o } }"):
            assert client.get("/sparql", params={"query": query}).json()["boolean"] is False

    def test_a_browser_gets_the_refusal_on_the_query_page(self, client: TestClient) -> None:
        query, _ = LANGUAGE_ATTACKS["service"]
        response = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
        message = assert_html_error(response, (400,))
        assert "federated" in message
        assert_healthy(client)


# =========================================================================== CPU bombs (real server)


def doubled(times: int, seed: str = "a") -> str:
    """BINDs that double a string `times` times (SPARQL has no REPEAT): ?x{times} is 2**times seeds."""
    binds = [f'BIND("{seed}" AS ?x0)']
    binds += [f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(times)]
    return " ".join(binds)


ANY = "!<urn:x>"  # a negated property set: every predicate
CPU_BOMBS: dict[str, tuple[str, tuple[int, ...]]] = {
    "cartesian_4_way": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        (503,),
    ),
    "cartesian_6_way": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }",
        (503,),
    ),
    # Sorting needs every row at once: the worker hits its memory limit (400) or the deadline (503).
    "order_by_over_a_cartesian_product": (
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f DESC(?i)",
        (400, 503),
    ),
    # pyoxigraph's regex engine (Rust `regex`) runs in linear time, so there is no catastrophic
    # backtracking to trigger: a quick 200 is the best outcome, a refusal or timeout is acceptable.
    "catastrophic_regex": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . {doubled(15)} "
        'FILTER(REGEX(CONCAT(?x15, "b"), "^(a+)+$")) }',
        (200, 400, 503),
    ),
    "deep_path_both_ways_twice": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ({ANY}|^{ANY})* ?o . ?o ({ANY}|^{ANY})* ?z }}",
        (503,),
    ),
    "deep_path_of_sequences": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s (({ANY}|^{ANY})/({ANY}|^{ANY}))* ?o }}",
        (503,),
    ),
}


@pytest.mark.server
class TestCpuBombs:
    @pytest.mark.parametrize("bomb", CPU_BOMBS)
    def test_stopped_at_the_deadline_while_others_are_served(
        self, server: str, live: httpx.Client, bomb: str
    ) -> None:
        query, statuses = CPU_BOMBS[bomb]
        response, elapsed = run_bomb(server, query)
        assert elapsed < DEADLINE_S + 2, f"answered after {elapsed:.1f} s"
        if response.status_code == 200:
            assert 200 in statuses, response.text[:300]
        elif response.status_code == 503:
            assert_json_error(response, statuses, ("timeout",))
        else:
            assert_json_error(response, statuses)
        assert_healthy(live)
        workers_answer(server)

    def test_a_bomb_from_the_browser_query_page_is_stopped_too(self, server: str, live: httpx.Client) -> None:
        query, _ = CPU_BOMBS["cartesian_4_way"]
        started = time.perf_counter()
        page = live.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
        elapsed = time.perf_counter() - started
        assert elapsed < DEADLINE_S + 2, f"answered after {elapsed:.1f} s"
        assert "timeout" in assert_html_error(page, (503,))
        assert_healthy(live)
        workers_answer(server)


# =========================================================================== memory bombs (real server)

MEMORY_BOMBS: dict[str, str] = {
    "path_closure_count": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ({ANY}|^{ANY})* ?o . ?x ({ANY}|^{ANY})* ?o }}",
    "path_closure_sorted": f"SELECT ?s ?o ?z WHERE {{ ?s ({ANY})* ?o . ?o ({ANY})* ?z }} ORDER BY ?z ?o ?s",
    "concat_doubling": f"SELECT (STRLEN(?x40) AS ?n) WHERE {{ {doubled(40, 'aaaaaaaaaaaaaaaa')} }}",
    "group_concat_over_a_cartesian_product": (
        'SELECT (GROUP_CONCAT(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d)); separator=",") AS ?all) '
        "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    ),
}


@pytest.mark.server
class TestMemoryBombs:
    @pytest.mark.parametrize("bomb", MEMORY_BOMBS)
    def test_refused_and_the_worker_is_replaced(self, server: str, live: httpx.Client, bomb: str) -> None:
        started = time.perf_counter()
        response = live.post("/sparql", data={"query": MEMORY_BOMBS[bomb]})
        elapsed = time.perf_counter() - started
        assert elapsed < DEADLINE_S + 2, f"answered after {elapsed:.1f} s"
        error = assert_json_error(response, (400, 503), ("too_costly", "timeout"))
        if error["code"] == "too_costly":
            assert "memory" in error["message"]
        assert_healthy(live)
        workers_answer(server)


# =========================================================================== parser bombs


class TestParserBombs:
    @pytest.mark.parametrize("slot", QUERY_SLOTS)
    def test_5000_nested_braces(self, client: TestClient, slot: str) -> None:
        query = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
        assert_json_error(send_in_slot(client, slot, query), (400,), ("too_deep", "too_long", "syntax"))
        assert_healthy(client)

    @pytest.mark.parametrize("depth", [300, 3000])
    def test_deeply_nested_parentheses_in_filter(self, client: TestClient, depth: int) -> None:
        query = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * depth + "true" + ")" * depth + ") }"
        assert_json_error(client.post("/sparql", data={"query": query}), (400,), ("too_deep",))
        assert_healthy(client)

    def test_deeply_nested_property_path(self, client: TestClient) -> None:
        query = "SELECT * WHERE { ?s " + "(" * 3000 + "<urn:p>" + ")*" * 3000 + " ?o }"
        assert_json_error(client.post("/sparql", data={"query": query}), (400,), ("too_deep",))
        assert_healthy(client)

    @pytest.mark.parametrize("slot", ["POST form query=", "POST sparql-query body"])
    def test_300_kb_query_text_by_post(self, client: TestClient, slot: str) -> None:
        query = "SELECT * WHERE { ?s ?p ?o } # " + "a" * 300_000
        error = assert_json_error(send_in_slot(client, slot, query), (400,), ("too_long",))
        assert "limit" in error["message"]
        assert_healthy(client)

    @pytest.mark.server
    def test_300_kb_query_text_by_get(self, server: str, live: httpx.Client) -> None:
        # Over ~64 KB, uvicorn's HTTP parser refuses the request line itself, before the app sees it:
        # a plain-text 400 "Invalid HTTP request received." (not the JSON error contract).
        target = "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } # " + "a" * 300_000)
        assert_raw_refusal(*raw_get(server, target))
        assert_healthy(live)

    @pytest.mark.server
    def test_60_kb_query_text_by_get_reaches_the_guard(self, server: str, live: httpx.Client) -> None:
        target = "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } #" + "a" * 60_000)
        status, body = raw_get(server, target)
        assert_json_error(httpx.Response(status, content=body, headers=JSON_TYPE), (400,), ("too_long",))
        assert_healthy(live)

    @pytest.mark.server
    @pytest.mark.parametrize("framing", ["content-length", "chunked"])
    def test_12_mb_body_is_refused_before_it_is_read(
        self, server: str, live: httpx.Client, framing: str
    ) -> None:
        total = 12 * 1024 * 1024
        length = f"Content-Length: {total}" if framing == "content-length" else "Transfer-Encoding: chunked"
        head = (
            "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            f"{length}\r\n\r\n"
        ).encode()
        chunk = b" " * 65_536
        frame = chunk if framing == "content-length" else b"%x\r\n%s\r\n" % (len(chunk), chunk)
        started = time.perf_counter()
        sent, pending, answer = 0, b"", b""
        with socket.create_connection(("127.0.0.1", port_of(server)), timeout=5) as raw:
            raw.sendall(head)
            raw.setblocking(False)
            # Send until the server answers (or all 12 MB are gone, or 5 s pass): never block on a send.
            while sent < total and time.perf_counter() - started < 5:
                readable, writable, _ = select.select([raw], [raw], [], 1)
                if readable:
                    break
                if writable:
                    pending = pending or frame
                    try:
                        count = raw.send(pending)
                    except BlockingIOError:
                        continue
                    except (BrokenPipeError, ConnectionResetError):
                        break
                    pending, sent = pending[count:], sent + count
            raw.settimeout(5)
            while not answer.rstrip().endswith(b"}"):  # the JSON error body ends the answer
                try:
                    more = raw.recv(65_536)
                except (ConnectionResetError, TimeoutError):
                    break
                if not more:
                    break
                answer += more
        elapsed = time.perf_counter() - started
        assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
        assert elapsed < 2, f"the refusal took {elapsed:.1f} s"
        # Loopback's socket buffers take several MB before the server reads a byte, more when the machine
        # is busy (6.5 MB once under a load average of 5): the refusal must come well before the end.
        assert sent < total * 3 // 4, f"the client could send {sent:,} of {total:,} bytes first"
        assert b'"too_large"' in answer
        assert_no_traceback(answer.decode("utf-8", "replace"))
        assert_healthy(live)

    def test_12_mb_body_in_process(self, client: TestClient) -> None:
        response = client.post("/sparql", content=b" " * (12 * 1024 * 1024), headers={"Content-Type": FORM})
        error = assert_json_error(response, (413,), ("too_large",))
        assert "bytes" in error["message"]
        assert_healthy(client)

    @pytest.mark.server
    def test_10000_exclamation_marks(self, server: str, live: httpx.Client) -> None:
        # The engine's recursive parser overflows its stack on this and the worker dies (SIGSEGV); the
        # sandbox contains it: a 400 naming the failure, and a new worker takes the dead one's place.
        # (A 200 would mean an engine that copes, which is fine too.)
        response = live.post("/sparql", data={"query": TEN_THOUSAND_BANGS})
        if response.status_code != 200:
            assert_json_error(response, (400,), ("too_deep", "syntax", "query_error", "worker_died"))
        assert_healthy(live)
        workers_answer(server)

    @pytest.mark.server
    def test_10000_exclamation_marks_are_refused_before_a_worker_runs_them(self, live: httpx.Client) -> None:
        response = live.post("/sparql", data={"query": TEN_THOUSAND_BANGS})
        assert_json_error(response, (400,), ("too_deep", "syntax"))


TEN_THOUSAND_BANGS = "SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }"


# =========================================================================== parameter injection

INJECTIONS: dict[str, str] = {
    "quote_break": 'x" . ?s ?p ?o } #',
    "iri_break": "> . ?s ?p ?o } #",
    "escaped_quote": "\\u0022",
    "escaped_quote_break": "\\u0022) } UNION { ?s ?p ?o } #",
    "newline_union": "x\n} UNION { ?s ?p ?o }",
    "leading_newline_union": "\n} UNION { ?s ?p ?o }",
    "script": SCRIPT,
    "600_characters": "a" * 600,
}
HARMLESS = "zzqqzz"  # matches nothing: an injection that worked would return rows where this returns none
PARAMS: list[tuple[NamedQuery, Param]] = [(q, p) for q in CATALOGUE for p in q.params]


def example_params(query: NamedQuery, leave_out: str) -> dict[str, str]:
    """Values for the other required parameters, so only the one under test can be at fault."""
    values = {}
    for param in query.params:
        if param.name != leave_out and param.required:
            value = param.example or param.default
            assert value, f"{query.name}.{param.name} is required but has no example"
            values[param.name] = value
    return values


def rows_of(response: httpx.Response) -> int:
    if response.headers["content-type"].startswith("application/json"):
        return len(response.json()["rows"])
    return len([line for line in response.text.splitlines() if line.strip() and not line.startswith("@")])


def test_the_catalogue_served_is_the_one_tested(client: TestClient) -> None:
    served = {
        (q["name"], p["name"], p["type"]) for q in client.get("/api/queries").json() for p in q["params"]
    }
    assert served == {(q.name, p.name, p.type) for q, p in PARAMS}
    assert served, "no parameters to test"


class TestParameterInjection:
    @pytest.mark.parametrize(("query", "param"), PARAMS, ids=[f"{q.name}.{p.name}" for q, p in PARAMS])
    def test_every_injection_is_bound_as_one_value(
        self, client: TestClient, query: NamedQuery, param: Param
    ) -> None:
        url = f"/api/queries/{query.name}"
        others = example_params(query, param.name)
        baseline = None
        if param.type == "string":
            baseline = client.get(url, params={**others, param.name: HARMLESS})
            assert baseline.status_code == 200, baseline.text[:300]
        for name, value in INJECTIONS.items():
            response = client.get(url, params={**others, param.name: value})
            where = f"{query.name}.{param.name} = {name}"
            if baseline is not None and response.status_code == 200:
                assert rows_of(response) <= rows_of(baseline), f"{where}: more rows than a harmless value"
                if response.headers["content-type"].startswith("application/json"):
                    assert response.json()["vars"] == baseline.json()["vars"], where
                continue
            error = assert_json_error(response, (422,), ("invalid_parameter",))
            assert f"parameter '{param.name}'" in error["message"], f"{where}: {error['message']}"
        assert_healthy(client)

    @pytest.mark.parametrize("query", CATALOGUE, ids=[q.name for q in CATALOGUE])
    def test_an_injected_parameter_name_is_refused(self, client: TestClient, query: NamedQuery) -> None:
        params = {**example_params(query, ""), 'x" . ?s ?p ?o } #': "1"}
        error = assert_json_error(client.get(f"/api/queries/{query.name}", params=params), (422,))
        assert "not a parameter" in error["message"]

    def test_injection_through_the_query_page_is_shown_as_text(self, client: TestClient) -> None:
        response = client.get("/queries/label_search", params={"text": INJECTIONS["quote_break"] + SCRIPT})
        assert response.status_code == 200
        assert_no_traceback(response.text)
        assert "<script>alert" not in response.text


# =========================================================================== wrong types

WRONG_VALUES: dict[str, tuple[str, ...]] = {
    "integer": ("abc", "1.5", "1e3", "0x10"),
    "decimal": ("abc", "1,5", "NaN", "12abc"),
    "boolean": ("maybe", "2", "yes please"),
    "iri": ("http://example.org/a b", "javascript:alert(1)", "<urn:x>", "nkg:a b"),
}
TYPED: list[tuple[NamedQuery, Param, str]] = [
    (q, p, value) for q, p in PARAMS if p.type in WRONG_VALUES for value in WRONG_VALUES[p.type]
]


class TestWrongTypes:
    def test_the_catalogue_has_typed_parameters(self) -> None:
        assert {p.type for _, p, _ in TYPED}, "no typed parameters in the catalogue"

    @pytest.mark.parametrize(
        ("query", "param", "value"), TYPED, ids=[f"{q.name}.{p.name}={v}" for q, p, v in TYPED]
    )
    def test_a_wrong_value_is_422_naming_the_parameter(
        self, client: TestClient, query: NamedQuery, param: Param, value: str
    ) -> None:
        params = {**example_params(query, param.name), param.name: value}
        error = assert_json_error(client.get(f"/api/queries/{query.name}", params=params), (422,))
        assert f"parameter '{param.name}'" in error["message"], error["message"]


# =========================================================================== XSS


class TestXss:
    def test_a_question_comes_back_as_data_in_json(self, client: TestClient) -> None:
        response = client.get("/api/ask", params={"q": SCRIPT})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["question"] == SCRIPT
        assert response.json()["answered"] is False

    def test_a_question_is_escaped_on_the_answer_page(self, client: TestClient) -> None:
        response = client.get("/ask", params={"q": SCRIPT})
        assert response.status_code == 200
        assert "<script>alert" not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text

    @pytest.mark.parametrize(
        "path",
        [
            "/queries/<script>",
            f"/queries/{SCRIPT}",
            "/resource/<script>",
            f"/resource/{SCRIPT}",
            f"/nothing/{SCRIPT}",
            f"/resource/dry-needling?format={quote(SCRIPT)}",
        ],
    )
    def test_echoed_input_is_escaped_in_html_and_plain_in_json(self, client: TestClient, path: str) -> None:
        page = client.get(path, headers={"Accept": BROWSER})
        message = assert_html_error(page, (404, 406))
        assert "<script" not in page.text
        assert "&lt;script&gt;" in message
        error = assert_json_error(client.get(path), (404, 406))
        assert "<script>" in error["message"] and "&lt;" not in error["message"]

    def test_a_refused_query_with_a_script_is_escaped_on_the_query_page(self, client: TestClient) -> None:
        query = f'SELECT * WHERE {{ ?s ?p "{SCRIPT}" . SERVICE <{NOWHERE}/> {{ ?s ?p ?o }} }}'
        page = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
        assert_html_error(page, (400,))
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        error = assert_json_error(client.get("/sparql", params={"query": query}), (400,), ("service",))
        assert "&lt;" not in error["message"]

    def test_a_syntax_error_echo_is_plain_in_json(self, client: TestClient) -> None:
        query = f"SELECT * WHERE {{ ?s ?p ?o }} {SCRIPT}"
        error = assert_json_error(client.get("/sparql", params={"query": query}), (400,), ("syntax",))
        assert "&lt;" not in error["message"] and "&#" not in error["message"]

    def test_results_with_a_script_literal_and_a_javascript_iri_are_inert(self, client: TestClient) -> None:
        query = f'SELECT ("{SCRIPT}" AS ?text) (IRI("javascript:alert(1)") AS ?link) WHERE {{}}'
        page = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page.text, re.I)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text

    def test_a_javascript_iri_parameter_is_refused(self, client: TestClient) -> None:
        error = assert_json_error(
            client.get("/api/queries/describe_resource", params={"resource": "javascript:alert(1)"}), (422,)
        )
        assert "parameter 'resource'" in error["message"]
        page = client.get("/queries/describe_resource", params={"resource": "javascript:alert(1)"})
        assert page.status_code == 200
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page.text, re.I)

    def test_a_script_in_a_query_page_parameter_is_escaped(self, client: TestClient) -> None:
        for url, name in (
            ("/queries/label_search", "text"),
            ("/queries/treatments_under_price", "max_price"),
        ):
            page = client.get(url, params={name: SCRIPT})
            assert page.status_code == 200
            assert_no_traceback(page.text)
            assert "<script>alert" not in page.text
            assert "&lt;script&gt;" in page.text


# =========================================================================== path tricks on /resource/

PATH_TRICKS = {
    "nul": "/resource/%00",
    "nul_suffix": "/resource/dry-needling%00.ttl",
    "encoded_traversal": "/resource/..%2F..%2Fetc%2Fpasswd",
    "encoded_dots": "/resource/%2e%2e/",
    "encoded_dots_deep": "/resource/%2e%2e/%2e%2e/etc/passwd",
    "file_iri": "/resource/file:%2F%2F%2Fetc%2Fpasswd",
    "5000_characters": "/resource/" + "a" * 5000,
    "unicode": "/resource/" + quote("été-☃-𝔘"),
    "empty": "/resource/",
}


class TestPathTricks:
    @pytest.mark.parametrize("trick", PATH_TRICKS)
    def test_404_with_a_clear_message(self, client: TestClient, trick: str) -> None:
        for accept in ("application/json", "text/turtle"):
            response = client.get(PATH_TRICKS[trick], headers={"Accept": accept})
            error = assert_json_error(response, (404,), ("invalid_resource_name", "no_such_resource"))
            assert "resource" in error["message"]
            assert "root:" not in response.text
        assert len(error["message"]) < 400, "the message should not echo a whole 5,000-character name"
        assert_html_error(client.get(PATH_TRICKS[trick], headers={"Accept": BROWSER}), (404,))
        assert_healthy(client)

    @pytest.mark.server
    @pytest.mark.parametrize(
        "target",
        [
            "/resource/../../etc/passwd",
            "/resource/dry-needling/../../../etc/passwd",
            "/resource//etc/passwd",
            "/static/../../pyproject.toml",
            "/static/..%2F..%2Fpyproject.toml",
            "/static/%2e%2e/%2e%2e/pyproject.toml",
            "/docs-assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
        ],
    )
    def test_unnormalized_traversal_reads_no_file(self, server: str, live: httpx.Client, target: str) -> None:
        status, body = raw_get(server, target)
        response = httpx.Response(status, content=body, headers=JSON_TYPE)
        assert_json_error(response, (404,))
        assert b"root:" not in body and b"[project]" not in body
        assert_healthy(live)


# =========================================================================== absurd Accept headers

ABSURD_ACCEPTS = {
    "nothing_acceptable": "*/*;q=0",
    "100_kb": ", ".join(["application/x-nothing;q=0.5"] * 3500),
    "bad_q": "text/turtle;q=abc",
    "only_separators": ";;;",
    "unknown_type": "application/x-nothing",
    "garbage_bytes": "\x7f\x01/\x02;q=\x03",
}
ACCEPT_TARGETS = {
    "sparql": "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
    "sparql_construct": "/sparql?query=" + quote("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"),
    "named_query": "/api/queries/cost_of_modality?modality=dry-needling",
    "resource": "/resource/dry-needling",
}


class TestAbsurdAcceptHeaders:
    @pytest.mark.parametrize("target", ACCEPT_TARGETS)
    @pytest.mark.parametrize("accept", ABSURD_ACCEPTS)
    def test_406_or_a_sensible_default(self, client: TestClient, accept: str, target: str) -> None:
        response = client.get(ACCEPT_TARGETS[target], headers={"Accept": ABSURD_ACCEPTS[accept]})
        if response.status_code == 200:
            assert_no_traceback(response.text)
            assert response.content, "an empty default answer"
        else:
            error = assert_json_error(response, (406,), ("not_acceptable",))
            assert len(error["message"]) < 1000, "the message should not echo a 100 KB header"
        assert_healthy(client)

    @pytest.mark.parametrize("target", ["named_query", "resource", "sparql"])
    def test_the_preferred_type_after_40_unknown_ones_is_still_served(
        self, client: TestClient, target: str
    ) -> None:
        wanted = {"named_query": "text/csv", "resource": "text/turtle", "sparql": "text/csv"}[target]
        accept = ", ".join([f"application/x-unknown-{n}" for n in range(40)] + [wanted])
        response = client.get(ACCEPT_TARGETS[target], headers={"Accept": accept})
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"].startswith(wanted)

    @pytest.mark.parametrize("bad_q", ["NaN", "nan", "inf", "-inf", "1e-1", "2", "0x1", ""])
    def test_an_invalid_q_is_never_preferred(self, client: TestClient, bad_q: str) -> None:
        response = client.get(
            ACCEPT_TARGETS["resource"], headers={"Accept": f"text/turtle;q={bad_q}, text/html"}
        )
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"].startswith("text/html"), bad_q

    @pytest.mark.server
    def test_100_kb_accept_on_a_real_server(self, server: str, live: httpx.Client) -> None:
        response = live.get(ACCEPT_TARGETS["named_query"], headers={"Accept": ABSURD_ACCEPTS["100_kb"]})
        if response.status_code != 200:
            assert response.status_code in (400, 406, 431), response.text[:300]
            assert_no_traceback(response.text)
        assert_healthy(live)


# =========================================================================== oversized input


class TestOversizedInput:
    def test_10_kb_question(self, client: TestClient) -> None:
        error = assert_json_error(client.get("/api/ask", params={"q": "why " * 2500}), (422,))
        assert "parameter 'q'" in error["message"] and "longer" in error["message"]
        assert_healthy(client)

    def test_10_kb_question_on_the_answer_page(self, client: TestClient) -> None:
        assert_html_error(
            client.get("/ask", params={"q": "why " * 2500}, headers={"Accept": BROWSER}), (422,)
        )
        assert_healthy(client)

    def test_600_character_parameter(self, client: TestClient) -> None:
        error = assert_json_error(client.get("/api/queries/label_search", params={"text": "a" * 600}), (422,))
        assert "parameter 'text'" in error["message"]

    @pytest.mark.server
    @pytest.mark.parametrize("path", ["/api/ask?q=", "/api/queries/label_search?text=", "/resource/a?x="])
    def test_100_kb_url(self, server: str, live: httpx.Client, path: str) -> None:
        # Refused below the app, as soon as the request line passes the head limit: a 414, or a closed
        # connection when the client is still sending as the refusal goes out (its reset can drop it).
        try:
            status, body = raw_get(server, path + "a" * 100_000)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            pass
        else:
            assert_raw_refusal(status, body)
            assert status == 414, status
        assert_healthy(live)


# =========================================================================== `needling serve` as deployed
# The threats below reach the server below the app (its HTTP parser, its threads, its connections), so they
# run against `python -m api serve` itself, as deployed, with a 2 s deadline.


@pytest.fixture(scope="module")
def deployed() -> Iterator[Served]:
    with needling_serve(NEEDLING_DEADLINE_S=str(DEADLINE_S)) as served:
        yield served


def request_bytes(method: str, target: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def parse_answer(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names, repeated ones joined) and body of a raw HTTP/1.1 answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return int(lines[0].split()[1]), headers, body


def metric(base: str, line_start: str) -> float:
    """The value of the first /metrics line starting with `line_start` (0 when absent)."""
    text = httpx.get(f"{base}/metrics", timeout=5).text
    found = [line for line in text.splitlines() if line.startswith(line_start)]
    return float(found[0].rsplit(" ", 1)[1]) if found else 0.0


# =========================================================================== cache poisoning

# name -> (URL, the attacker's Accept lines, the victim's Accept lines, the media type the victim must get)
POISONINGS: dict[str, tuple[str, list[str], list[str], str]] = {
    "csv_for_json_clients": (
        "/api/queries/cost_of_modality?modality=acupuncture",
        ["text/csv", "application/json"],
        ["application/json"],
        "application/json",
    ),
    "turtle_for_browsers": ("/resource/acupuncture", ["text/turtle", BROWSER], [BROWSER], "text/html"),
    "the_query_page_for_curl": (
        "/sparql?query=" + quote("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"),
        ["text/html", "*/*"],
        ["*/*"],
        "application/sparql-results+json",
    ),
    "an_empty_second_accept_for_clients_that_send_none": (
        "/api/queries/cost_of_modality?modality=dry-needling",
        ["text/csv", ""],
        [],
        "application/json",
    ),
}


@pytest.mark.server
class TestCachePoisoning:
    @pytest.mark.parametrize("case", POISONINGS)
    def test_repeated_accept_headers_cannot_choose_what_others_get(self, deployed: Served, case: str) -> None:
        target, attacker, victim, expected = POISONINGS[case]
        status, headers, _ = parse_answer(
            raw_exchange(deployed, request_bytes("GET", target, [("Accept", a) for a in attacker]))
        )
        assert status == 200 and "accept" in headers.get("vary", "").lower(), (status, headers)
        for _ in range(2):  # the first answer may be built afresh; the second comes from the cache
            status, headers, body = parse_answer(
                raw_exchange(deployed, request_bytes("GET", target, [("Accept", v) for v in victim]))
            )
            assert status == 200, body[:300]
            assert headers["content-type"].startswith(expected), f"{case}: got {headers['content-type']}"
            assert "accept" in headers.get("vary", "").lower(), headers


# =========================================================================== memory through cache keys


@pytest.mark.server
@pytest.mark.slow
def test_thirty_10_mb_accept_headers_leave_memory_flat(deployed: Served) -> None:
    """Thirty GETs of /compare, each with its own 10 MB Accept: refused as they come, nothing kept."""
    before = deployed.rss_mb()
    statuses = []
    for n in range(30):
        head = request_bytes("GET", "/compare", [("Accept", f"text/html;v={n}, " + "a" * 10_000_000)])
        answer, _ = send_head_in_chunks(deployed, head, limit_s=20)
        statuses.append(status_of(answer))
    time.sleep(0.5)
    grown = deployed.rss_mb() - before
    assert grown < 40, f"RSS grew by {grown:.0f} MB and stays (answers: {statuses})"
    assert set(statuses) <= {None, 431}, statuses
    assert timed_health(deployed.base) < HEALTH_BUDGET_S


# =========================================================================== header floods


@pytest.mark.server
class TestHeaderFloods:
    def test_a_100_mb_header_is_refused_at_once_and_health_never_waits(self, deployed: Served) -> None:
        outcome: dict[str, Any] = {}
        head = request_bytes("GET", "/healthz", [("X-Flood", "a" * 100_000_000)])

        def flood() -> None:
            outcome["answer"], outcome["seconds"] = send_head_in_chunks(deployed, head, limit_s=30)

        thread = threading.Thread(target=flood, daemon=True)
        thread.start()
        slowest = 0.0
        for _ in range(100):  # health probes from a second client while the flood lasts (bounded)
            slowest = max(slowest, timed_health(deployed.base))
            if not thread.is_alive():
                break
            time.sleep(0.05)
        thread.join(timeout=40)
        assert not thread.is_alive()
        assert status_of(outcome["answer"]) in (None, 431), outcome["answer"][:300]
        assert outcome["seconds"] < 3, f"the flood was read for {outcome['seconds']:.1f} s"
        assert slowest < HEALTH_BUDGET_S, f"/healthz took {slowest:.2f} s during the flood"

    @pytest.mark.parametrize(
        ("headers", "code"),
        [
            ([(f"X-Many-{n}", "1") for n in range(1_000)], "too_many_headers"),
            ([("X-Long", "a" * 20_000)], "header_too_large"),
            ([(f"X-Big-{n}", "a" * 8_000) for n in range(20)], "header_too_large"),
        ],
        ids=["1000_headers", "one_20_kb_header", "20_headers_of_8_kb"],
    )
    def test_too_many_or_too_large_headers_get_431(
        self, deployed: Served, headers: list[tuple[str, str]], code: str
    ) -> None:
        status, answer_headers, body = parse_answer(
            raw_exchange(deployed, request_bytes("GET", "/healthz", headers))
        )
        response = httpx.Response(status, content=body, headers=answer_headers)
        assert_json_error(response, (431,), (code,))
        assert timed_health(deployed.base) < HEALTH_BUDGET_S

    def test_a_1_mb_url_gets_414(self, deployed: Served) -> None:
        status, headers, body = parse_answer(
            raw_exchange(deployed, request_bytes("GET", "/api/ask?q=" + "a" * 1_000_000, []))
        )
        assert_json_error(httpx.Response(status, content=body, headers=headers), (414,), ("uri_too_long",))


# =========================================================================== pool starvation

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.mark.server
@pytest.mark.slow
def test_45_clients_with_a_slow_query_starve_nobody(deployed: Served) -> None:
    """45 clients POST a query that can only end at the deadline, for 6 s. Meanwhile health, a named query
    and a question (each kept from the response cache) answer within a second; every slow query is
    answered within its deadline (queueing included) with a timeout, or at once with `overloaded`."""
    stop_at = time.monotonic() + 6
    answers: list[tuple[float, httpx.Response]] = []

    def slow_client() -> None:
        with httpx.Client(base_url=deployed.base, timeout=DEADLINE_S + 10) as http:
            while time.monotonic() < stop_at:
                started = time.monotonic()
                response = http.post("/sparql", data={"query": SLOW_QUERY})
                answers.append((time.monotonic() - started, response))

    threads = [threading.Thread(target=slow_client, daemon=True) for _ in range(45)]
    for thread in threads:
        thread.start()
    time.sleep(1)  # every slow client has a query in by now
    light: list[tuple[str, float]] = []
    with httpx.Client(base_url=deployed.base, timeout=10) as http:
        probe = 0
        while time.monotonic() < stop_at - 0.5 and probe < 40:
            probe += 1
            accept = {"Accept": f"application/json; probe={probe}"}
            for url in (
                "/healthz",
                "/metrics",
                f"/api/queries/treatments_under_price?max_price={60 + probe}",
                "/api/ask?q=what+treats+sciatica",
            ):
                started = time.perf_counter()
                response = http.get(url, headers=accept)
                light.append((url, time.perf_counter() - started))
                assert response.status_code == 200, f"{url}: {response.text[:300]}"
    for thread in threads:
        thread.join(timeout=DEADLINE_S + 15)
    slowest = max(light, key=lambda item: item[1])
    assert slowest[1] < HEALTH_BUDGET_S, f"{slowest[0]} took {slowest[1]:.2f} s behind the slow queries"
    codes = []
    for seconds, response in answers:
        error = assert_json_error(response, (503,), ("timeout", "overloaded"))
        codes.append(error["code"])
        assert seconds < DEADLINE_S + 1.5, f"a slow query was answered after {seconds:.1f} s"
        if error["code"] == "overloaded":
            assert int(response.headers["retry-after"]) >= 1
            assert seconds < 1.0, f"an overloaded answer took {seconds:.1f} s"
    assert "overloaded" in codes and "timeout" in codes, codes[:20]


# =========================================================================== leaked credentials and stale answers (remote store)

needs_oxigraph = pytest.mark.skipif(
    shutil.which("oxigraph") is None, reason="the oxigraph server (PyPI 'oxigraph') is not installed"
)
SECRET = "tiger-s3cret-token"
FRESH_ASK = "/sparql?query=" + quote("ASK { <urn:needling:fresh> ?p ?o }")


def with_credentials(url: str, user: str = "scott", password: str = SECRET) -> str:
    return url.replace("http://", f"http://{user}:{password}@", 1)


def wait_for(check: Any, within_s: float) -> float:
    """Poll `check()` until it is true (bounded by `within_s`); the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        if check():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"not within {within_s:g} s")


@pytest.mark.server
@needs_oxigraph
class TestRemoteStoreCredentials:
    def test_credentials_in_the_store_url_are_shown_nowhere(self, tmp_path: Path) -> None:
        with contextlib.ExitStack() as store:
            url = store.enter_context(oxigraph_server(tmp_path / "db", "serve-read-only"))
            with needling_serve("--store", with_credentials(url)) as served:
                health = httpx.get(f"{served.base}/healthz", timeout=5).text
                assert SECRET not in health and "scott" not in health, health
                ok = httpx.post(f"{served.base}/sparql", data={"query": "ASK {}"}, timeout=10)
                assert ok.status_code == 200, ok.text[:300]
                store.close()  # the store goes down; needling stays up
                with httpx.Client(base_url=served.base, timeout=10) as http:
                    for response in (
                        http.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}),
                        http.get("/api/queries/cost_of_modality", params={"modality": "dry-needling"}),
                    ):
                        error = assert_json_error(response, (502,), ("store_error",))
                        assert SECRET not in error["message"] and "scott" not in error["message"], error
                log = served.log_text()
        assert SECRET not in log, [line for line in log.splitlines() if SECRET in line][:3]
        assert "needling" in log  # the log was written, and read

    def test_credentials_from_a_password_file_reach_a_store_that_asks_for_them(self, tmp_path: Path) -> None:
        secret_file = tmp_path / "store-password"
        secret_file.write_text(SECRET + "\n", encoding="utf-8")
        with (
            oxigraph_server(tmp_path / "db", "serve-read-only") as url,
            PasswordProxy(url, "scott", SECRET) as guarded,
            needling_serve(
                NEEDLING_STORE=guarded.url,
                NEEDLING_STORE_USER="scott",
                NEEDLING_STORE_PASSWORD_FILE=str(secret_file),
            ) as served,
        ):
            response = httpx.get(
                f"{served.base}/api/queries/cost_of_modality", params={"modality": "dry-needling"}, timeout=10
            )
            assert response.status_code == 200, response.text[:300]
            assert guarded.seen and set(guarded.seen) == {guarded.expected}
            assert SECRET not in httpx.get(f"{served.base}/healthz", timeout=5).text
            assert SECRET not in served.log_text()


@pytest.mark.server
@needs_oxigraph
@pytest.mark.slow
def test_a_write_to_a_remote_store_shows_within_10_s_and_its_failure_at_once(tmp_path: Path) -> None:
    with contextlib.ExitStack() as store:
        url = store.enter_context(oxigraph_server(tmp_path / "db", "serve"))
        with needling_serve("--store", url) as served, httpx.Client(base_url=served.base, timeout=10) as http:
            search = "/api/queries/label_search?text=zqfresh"
            for _ in range(2):  # asked twice: a cache would keep the second answer
                assert http.get(FRESH_ASK, headers={"Accept": "application/json"}).json()["boolean"] is False
                assert http.get(search).json()["rows"] == []
            update = (
                "INSERT DATA { <urn:needling:fresh> <http://www.w3.org/2004/02/skos/core#prefLabel> "
                '"zqfresh label" }'
            )
            written = httpx.post(
                url.replace("/query", "/update"),
                content=update,
                headers={"Content-Type": "application/sparql-update"},
                timeout=10,
            )
            assert written.status_code in (200, 204), written.text[:300]
            wait_for(
                lambda: http.get(FRESH_ASK, headers={"Accept": "application/json"}).json()["boolean"], 10
            )
            wait_for(lambda: http.get(search).json()["rows"] != [], 10)
            store.close()  # the store stops: every route says so, none answers from memory or with a 500
            for path in (FRESH_ASK, search, "/api/ask?q=what+treats+sciatica"):
                response = http.get(path, headers={"Accept": "application/json"})
                assert_json_error(response, (502,), ("store_error",))


# =========================================================================== client disconnects


@pytest.mark.server
def test_a_client_that_leaves_mid_body_is_one_log_line_and_no_500(deployed: Served) -> None:
    aborts = 'needling_requests_total{method="POST",path="/sparql",status="499"}'
    failures = 'needling_requests_total{method="POST",path="/sparql",status="500"}'
    before = (metric(deployed.base, aborts), metric(deployed.base, failures))
    log_before = len(deployed.log_text().splitlines())
    headers = [("Content-Type", "application/sparql-query"), ("Content-Length", "100")]
    with connect(deployed) as sock:
        sock.sendall(request_bytes("POST", "/sparql", headers, b"ASK"))
    time.sleep(1)
    assert metric(deployed.base, failures) == before[1], "a client's leaving was counted as a server error"
    assert metric(deployed.base, aborts) == before[0] + 1
    new_lines = deployed.log_text().splitlines()[log_before:]
    assert not [line for line in new_lines if "Traceback" in line or "Error" in line], new_lines[:20]
    about_it = [line for line in new_lines if '"path": "/sparql"' in line]
    assert len(about_it) == 1 and '"status": 499' in about_it[0], new_lines[:20]


# =========================================================================== methods

GET_ROUTES = [
    "/",
    "/healthz",
    "/metrics",
    "/compare",
    "/ask?q=what+treats+sciatica",
    "/api/ask?q=what+treats+sciatica",
    "/api/queries",
    "/queries",
    "/queries/cost_of_modality",
    "/resource/dry-needling",
    "/sparql",
    "/sparql?query=" + quote("ASK {}"),
    "/docs",
    "/openapi.json",
    "/static/site.css",
] + [
    f"/api/queries/{q.name}?" + "&".join(f"{k}={v}" for k, v in example_params(q, "").items())
    for q in CATALOGUE
]


class TestMethods:
    @pytest.mark.parametrize("path", GET_ROUTES)
    def test_head_answers_every_get_route_without_a_body(self, client: TestClient, path: str) -> None:
        got = client.get(path)
        head = client.head(path)
        assert head.status_code == got.status_code == 200, head.text[:300]
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]

    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("PUT", "/sparql", {"GET", "HEAD", "POST"}),
            ("DELETE", "/healthz", {"GET", "HEAD"}),
            ("POST", "/resource/dry-needling", {"GET", "HEAD"}),
            ("PATCH", "/api/queries/cost_of_modality", {"GET", "HEAD"}),
            ("POST", "/static/site.css", {"GET", "HEAD"}),
        ],
    )
    def test_a_405_says_what_is_allowed(
        self, client: TestClient, method: str, path: str, allowed: set[str]
    ) -> None:
        response = client.request(method, path)
        assert_json_error(response, (405,), ("method_not_allowed",))
        assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


# =========================================================================== the Host header in redirects


class TestHostHeader:
    @pytest.mark.parametrize("path", ["/compare/", "/api/queries/", "/queries/?x=1"])
    def test_a_redirect_never_names_the_host_it_was_sent(self, client: TestClient, path: str) -> None:
        response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert response.status_code in (307, 308), response.text[:300]
        location = response.headers["location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "evil.example" not in location

    @pytest.mark.server
    @pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "//evil.example/compare/"])
    def test_no_open_redirect_through_the_path(self, deployed: Served, target: str) -> None:
        status, headers, _ = parse_answer(raw_exchange(deployed, request_bytes("GET", target, [])))
        location = headers.get("location", "")
        assert not location.startswith(("//", "/\\", "http")), (status, location)


# =========================================================================== slow clients


@pytest.fixture(scope="module")
def strict() -> Iterator[Served]:
    """`needling serve` with short read timeouts and a small connection cap, so the tests are quick."""
    with needling_serve(
        NEEDLING_HEADER_TIMEOUT_S="2", NEEDLING_BODY_TIMEOUT_S="2", NEEDLING_MAX_CONNECTIONS="20"
    ) as served:
        yield served


def trickle(served: Served, start: bytes, limit_s: float = 8.0) -> tuple[bytes, float]:
    """Send `start`, then one byte every 0.25 s until the server answers or closes (bounded by `limit_s`);
    the answer and the seconds until it came."""
    started = time.monotonic()
    with connect(served, timeout=limit_s) as sock:
        sock.sendall(start)
        while time.monotonic() - started < limit_s:
            readable, _, _ = select.select([sock], [], [], 0.25)
            if readable:
                answer, _ = read_until_closed(sock, 2)
                return answer, time.monotonic() - started
            try:
                sock.sendall(b"a")
            except OSError:
                return b"", time.monotonic() - started
    return b"", float("inf")


@pytest.mark.server
class TestSlowClients:
    def test_an_idle_connection_is_closed(self, strict: Served) -> None:
        with connect(strict) as sock:
            answer, seconds = read_until_closed(sock, 8)
        assert seconds < 4, "an idle connection was held open"
        assert answer == b""

    @pytest.mark.parametrize(
        "start",
        [
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000\r\n\r\nASK ",
        ],
        ids=["slow_header", "slow_body"],
    )
    def test_a_trickling_request_gets_408(self, strict: Served, start: bytes) -> None:
        answer, seconds = trickle(strict, start)
        assert seconds < 4, "a trickling client was held open"
        status, headers, body = parse_answer(answer)
        assert_json_error(httpx.Response(status, content=body, headers=headers), (408,), ("request_timeout",))
        assert timed_health(strict.base) < HEALTH_BUDGET_S

    def test_connections_past_the_cap_are_refused_at_once(self, strict: Served) -> None:
        held = [connect(strict) for _ in range(20)]
        try:
            time.sleep(0.2)
            with connect(strict) as extra:
                answer, seconds = read_until_closed(extra, 3)
            assert seconds < 1, "a connection past the cap was kept waiting"
            status, headers, body = parse_answer(answer)
            assert_json_error(httpx.Response(status, content=body, headers=headers), (503,), ("overloaded",))
            assert headers["retry-after"] == "1"
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.5)
        assert timed_health(strict.base) < HEALTH_BUDGET_S


# =========================================================================== small leaks


class TestSmallLeaks:
    def test_health_names_the_ontology_file_not_its_path(self, client: TestClient) -> None:
        store = client.get("/healthz").json()["store"]
        assert "needling.ttl" in store and "/" not in store, store

    def test_cors_exposes_link_so_a_page_can_follow_it(self, client: TestClient) -> None:
        response = client.get(
            "/api/queries/resource_links?resource=dry-needling&limit=1",
            headers={"Origin": "https://elsewhere.example"},
        )
        assert "link" in response.headers, "the test needs a paged answer"
        exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
        assert "link" in exposed

    def test_a_preflight_may_send_x_request_id(self, client: TestClient) -> None:
        response = client.options(
            "/sparql",
            headers={
                "Origin": "https://elsewhere.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-request-id, content-type",
            },
        )
        assert response.status_code == 200, response.text[:300]
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "x-request-id" in allowed
