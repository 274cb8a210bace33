"""`needling serve --workers N` and the persisted store: several processes on one socket and one graph, a
store opened from disk when it is up to date, and clear refusals of a bad process count.

The reloads with two processes (valid edit, broken edit, atomic swaps under traffic) are in
test_reload_live.py, which runs every test there with one process and with two.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from helpers import guarded, needling_serve, pool_of
from test_shutdown import alive, children
from test_sparql import CARTESIAN

from kg import DEFAULT_ONTOLOGY
from kg.adhoc import GuardedQuery, QueryFailed
from kg.engine import open_graph
from kg.settings import Settings
from kg.store import StoreError, open_persisted

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "says"),
    [("0", "at least 1 process"), ("-3", "at least 1 process"), ("abc", "'abc'"), ("1.5", "'1.5'")],
)
def test_a_bad_process_count_is_a_usage_error(value: str, says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--workers", value],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "--workers" in done.stderr and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.server
def test_two_processes_serve_one_graph_and_stop_cleanly(tmp_path: Path) -> None:
    with needling_serve("--workers", "2", "--store-dir", str(tmp_path)) as served:
        serving = children(served.pid)
        assert len(serving) == 2, f"expected two serving processes, found {serving}"
        give_up = time.monotonic() + 20  # /healthz answers once the first of the two has started
        while (
            len(sandboxes := {w for pid in serving for w in children(pid)}) < 4 and time.monotonic() < give_up
        ):
            time.sleep(0.1)
        assert len(sandboxes) == 4, f"expected two sandbox workers each, found {sandboxes}"
        with httpx.Client(base_url=served.base, timeout=10) as http:
            health = http.get("/healthz").json()
            assert health["store"].startswith("persisted"), health
            answer = http.get("/api/ask", params={"q": "what treats sciatica"}).json()
            assert answer["answered"], answer
            counted = http.post(
                "/sparql",
                data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                headers={"Accept": "text/csv"},
            )
            assert counted.status_code == 200 and counted.text.split()[1] == str(health["triples"])
        os.kill(served.pid, signal.SIGTERM)
        assert _exit_status(served.pid) == 0
        left = sorted(pid for pid in serving | sandboxes if alive(pid))
        assert not left, f"processes still running after the server exited: {left}"
        assert "Traceback" not in served.log_text()


@pytest.mark.server
def test_a_burst_of_kept_alive_connections_is_shared_between_the_processes(tmp_path: Path) -> None:
    """16 connections opened at once (as a load generator or a proxy's pool opens them) are not all taken
    by whichever process woke first: each process holds about half, so both answer."""
    with needling_serve("--workers", "2", "--store-dir", str(tmp_path)) as served:
        serving = sorted(children(served.pid))
        give_up = time.monotonic() + 30  # each process forks its sandbox workers once it has started
        while len({w for pid in serving for w in children(pid)}) < 4 and time.monotonic() < give_up:
            time.sleep(0.1)
        time.sleep(0.5)
        before = {pid: _sockets(pid) for pid in serving}
        host, port = served.base.removeprefix("http://").split(":")
        connections = [socket.create_connection((host, int(port)), timeout=10) for _ in range(16)]
        try:
            for connection in connections:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            for connection in connections:
                assert connection.recv(65536).startswith(b"HTTP/1.1 200")
            held = sorted(_sockets(pid) - before[pid] for pid in serving)
        finally:
            for connection in connections:
                connection.close()
        assert sum(held) == 16 and held[0] >= 5, f"connections held by each process: {held}"


def _sockets(pid: int) -> int:
    fds = Path(f"/proc/{pid}/fd")
    return sum(1 for fd in fds.iterdir() if os.readlink(fd).startswith("socket:"))


def _exit_status(pid: int) -> int | None:
    """The server's exit status (it is this process's child), or None if it is still running after 20 s."""
    give_up = time.monotonic() + 20
    while time.monotonic() < give_up:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    return None


def test_an_up_to_date_store_is_opened_not_built_again(tmp_path: Path) -> None:
    graph = tmp_path / "needling.ttl"
    graph.write_bytes(DEFAULT_ONTOLOGY.read_bytes())
    first = open_persisted(graph, tmp_path / "cache")
    [folder] = (tmp_path / "cache" / "stores").iterdir()
    built = (folder / "data").stat().st_mtime_ns
    triples, version = first.triples, first.version
    del first

    again = open_persisted(graph, tmp_path / "cache")
    assert again.location == folder and (folder / "data").stat().st_mtime_ns == built
    assert (again.triples, again.version) == (triples, version) and len(again.store) == triples
    del again

    with graph.open("a", encoding="utf-8") as handle:
        handle.write('\n<https://needling-kg.example.org/kg/sciatica> <http://example.org/p> "edited" .\n')
    edited = open_persisted(graph, tmp_path / "cache")
    assert edited.location != folder and edited.triples == triples + 1 and edited.version != version
    assert not [f for f in (tmp_path / "cache" / "stores").iterdir() if f.name.startswith(".")]


def test_a_broken_file_builds_no_store(tmp_path: Path) -> None:
    graph = tmp_path / "broken.ttl"
    graph.write_text('<https://example.org/a> <https://example.org/b> "unterminated .\n', encoding="utf-8")
    with pytest.raises(StoreError, match=r"broken\.ttl"):
        open_persisted(graph, tmp_path / "cache")
    assert not any((tmp_path / "cache" / "stores").iterdir())


def test_sandbox_workers_read_a_persisted_store_and_open_nothing(tmp_path: Path) -> None:
    """A worker forked from a process holding a store on disk keeps that store's open files, and still
    cannot open a descriptor of its own (a SERVICE call that passed the guard would find none)."""
    persisted = open_persisted(DEFAULT_ONTOLOGY, tmp_path)
    assert persisted.engine is not None
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        with pool_of(persisted.engine, size=1, location=persisted.location) as pool:
            counted = pool.run(guarded("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), "csv")
            assert counted.body.split()[1].decode() == str(persisted.triples)
            service = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
            unguarded = GuardedQuery(text=service, form="SELECT")
            with pytest.raises(QueryFailed) as caught:
                pool.run(unguarded, "json")
            assert "open files" in str(caught.value)  # EMFILE
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody ever connected


@pytest.mark.server
def test_sigterm_lets_a_request_in_flight_end_with_two_processes(tmp_path: Path) -> None:
    """The parent passes SIGTERM on; the serving process finishes the request it is answering (here a
    query that can only end at its 3 s deadline, with a 503), then everything exits with status 0."""
    with needling_serve("--workers", "2", "--store-dir", str(tmp_path), NEEDLING_DEADLINE_S="3") as served:
        results: list[httpx.Response | BaseException] = []

        def in_flight() -> None:
            try:
                results.append(httpx.post(f"{served.base}/sparql", data={"query": CARTESIAN}, timeout=20))
            except BaseException as exc:  # a reset is what this test looks for
                results.append(exc)

        request = threading.Thread(target=in_flight, daemon=True)
        request.start()
        time.sleep(0.5)
        assert request.is_alive(), "the slow request ended before the signal"
        os.kill(served.pid, signal.SIGTERM)
        request.join(timeout=20)
        [result] = results
        assert isinstance(result, httpx.Response), f"the request in flight failed: {result!r}"
        assert result.status_code == 503 and result.json()["error"]["code"] == "timeout", result.text
        assert _exit_status(served.pid) == 0
        assert "Traceback" not in served.log_text()


def test_a_store_dir_that_cannot_be_written_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    graph = open_graph(Settings(ontology=DEFAULT_ONTOLOGY, store_dir=blocker / "cache", persist=True))
    assert "in memory" in graph.store.description and graph.store.triples > 3000


def test_the_store_is_kept_on_disk_by_default_only_when_several_processes_serve() -> None:
    assert not Settings(processes=1).persists()  # one process: memory answers uncached queries faster
    assert Settings(processes=2).persists()  # several: they share the store's files
    assert Settings(processes=1, persist=True).persists()
    assert not Settings(processes=2, persist=False).persists()
