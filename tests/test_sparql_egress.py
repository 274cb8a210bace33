"""No request to /sparql makes the server connect anywhere: attempts against a live listener on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
from helpers import running_server

pytestmark = pytest.mark.server
QUIET_S = 0.5  # how long the listener must stay silent after an attempt


class Listener:
    """A TCP listener on a free local port that records every connection made to it."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.05)
        self.port: int = self._socket.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                peer, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with peer:
                peer.settimeout(0.2)
                try:
                    first = peer.recv(300)
                except OSError:
                    first = b""
            self.connections.append(first or b"(connected, sent nothing)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    recorder = Listener()
    yield recorder
    recorder.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as base:
        yield base


def attacks(port: int) -> dict[str, str]:
    """Each would reach the listener if it ran unguarded (the SERVICE ones are proved below)."""
    target = f"http://127.0.0.1:{port}"
    return {
        "service": f"SELECT * WHERE {{ SERVICE <{target}/> {{ ?s ?p ?o }} }}",
        "service_silent": f"SELECT * WHERE {{ SERVICE SILENT <{target}/> {{ ?s ?p ?o }} }}",
        "service_mixed_case": f"SELECT * WHERE {{ SeRvIcE <{target}/> {{ ?s ?p ?o }} }}",
        # Read undecoded, SERVICE sits inside one string literal (and the query is valid); decoded, each
        # \u0022 is a quote that ends a string, and SERVICE is live query text (and valid too).
        "escaped_quote": (
            f'SELECT * WHERE {{ BIND("a\\u0022 AS ?s) SERVICE <{target}/> {{ ?x ?y ?z }} FILTER(?z != \\u0022b") }}'
        ),
        "from": f"SELECT * FROM <{target}/x> WHERE {{ ?s ?p ?o }}",
        "from_named": f"SELECT * FROM NAMED <{target}/n> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "from_file": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "load": f"LOAD <{target}/x>",
    }


SERVICE_ATTACKS = ["service", "service_silent", "service_mixed_case", "escaped_quote"]


def send_every_way(base: str, query: str) -> list[httpx.Response]:
    with httpx.Client(base_url=base, timeout=10) as http:
        return [
            http.get("/sparql", params={"query": query}),
            http.post("/sparql", data={"query": query}),
            http.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
        ]


@pytest.mark.parametrize("name", list(attacks(1)))
def test_attempt_is_refused_and_nothing_connects(server: str, listener: Listener, name: str) -> None:
    query = attacks(listener.port)[name]
    for response in send_every_way(server, query):
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] in ("service", "dataset", "update")
        assert "root:" not in response.text
    time.sleep(QUIET_S)
    assert listener.connections == []


def test_update_slots_do_not_load(server: str, listener: Listener) -> None:
    load = f"LOAD <http://127.0.0.1:{listener.port}/x>"
    with httpx.Client(base_url=server, timeout=10) as http:
        responses = [
            http.post("/sparql", data={"update": load}),
            http.get("/sparql", params={"update": load}),
            http.post("/sparql", content=load, headers={"Content-Type": "application/sparql-update"}),
        ]
    assert [r.status_code for r in responses] == [400, 400, 400]
    time.sleep(QUIET_S)
    assert listener.connections == []


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_do_not_fetch(server: str, listener: Listener, name: str) -> None:
    params = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", name: f"http://127.0.0.1:{listener.port}/g"}
    response = httpx.get(f"{server}/sparql", params=params, timeout=10)
    assert response.status_code == 400
    time.sleep(QUIET_S)
    assert listener.connections == []


def test_listener_records_a_connection(listener: Listener) -> None:
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as peer:
        peer.sendall(b"hello")
    wait_for_connection(listener)
    assert listener.connections == [b"hello"]


def wait_for_connection(listener: Listener) -> None:
    give_up = time.monotonic() + 2
    while not listener.connections and time.monotonic() < give_up:
        time.sleep(0.01)


@pytest.mark.parametrize("name", SERVICE_ATTACKS)
def test_unguarded_engine_would_connect(listener: Listener, name: str) -> None:
    """The control: run as the guard would decode it but without the guard, each attack does connect."""
    decoded = attacks(listener.port)[name].replace("\\u0022", '"')
    with contextlib.suppress(OSError):  # the listener hangs up: an error, or no rows with SILENT
        result = ox.Store().query(decoded)
        assert isinstance(result, ox.QuerySolutions)
        list(result)
    wait_for_connection(listener)
    assert len(listener.connections) == 1
    assert listener.connections[0].startswith(b"POST / HTTP/1.1")
