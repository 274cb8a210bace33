"""What many test modules share: the real graph and sandbox built from settings, real server processes
(`needling serve` as deployed, an Oxigraph server, a store behind a password), their memory, and raw
requests sent byte by byte as an attacker would send them."""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

import httpx
import pyoxigraph as ox
import pytest

from bench.procs import Server, free_port, rss_mb, servers_stopped_on_exit
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES
from kg.adhoc import GuardedQuery, SandboxPool, check_query
from kg.engine import KnowledgeGraph, open_graph
from kg.settings import Settings, default

ROOT = Path(__file__).resolve().parent.parent
__all__ = ["free_port"]


# --------------------------------------------------------------------------- the graph and the sandbox


def graph_of(
    ontology: Path = DEFAULT_ONTOLOGY, queries: Path = DEFAULT_QUERIES, **settings: object
) -> KnowledgeGraph:
    """The graph as `needling` opens it, from these files and settings."""
    return open_graph(Settings(ontology=ontology, queries=queries, **settings))  # type: ignore[arg-type]


def pool_of(store: ox.Store, **options: object) -> SandboxPool:
    """A sandbox pool on `store`, the service's defaults for whatever `options` leaves out (not started)."""
    settings = {
        "size": default("workers"),
        "deadline_s": default("deadline_s"),
        "row_cap": default("row_cap"),
        "memory_limit_mb": default("worker_memory_mb"),
    }
    return SandboxPool(store, **{**settings, **options})  # type: ignore[arg-type]


def guarded(text: str) -> GuardedQuery:
    """A query as the guard passes it on: only guarded text reaches a worker."""
    return check_query(text, max_length=default("max_query_chars"))


# --------------------------------------------------------------------------- servers


def wait_until_ready(process: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> None:
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            pytest.fail(f"the server exited with status {process.returncode}:\n{output[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"the server at {base} did not answer /healthz within 60 s")


@contextlib.contextmanager
def running_server(**env: str) -> Iterator[str]:
    """`needling serve` in a process of its own (NEEDLING_* settings from `env`); yields its base URL.

    The test binds the port and hands the listening socket over (`--fd`), so no other process can take
    the port between choosing it and serving on it.
    """
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("NEEDLING_")}
    environment = {**inherited, "NEEDLING_WATCH": "false", **env}
    with tempfile.TemporaryFile() as log:
        with socket.socket() as listening:
            listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # --fd skips uvicorn's own
            listening.bind(("127.0.0.1", 0))
            listening.listen(64)
            base = f"http://127.0.0.1:{listening.getsockname()[1]}"
            command = [sys.executable, "-m", "api", "serve", "--fd", str(listening.fileno())]
            process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=log, stderr=log, pass_fds=[listening.fileno()]
            )
        try:
            wait_until_ready(process, base, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_answering(url: str, server: subprocess.Popen[bytes], deadline_s: float = 30.0) -> None:
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise RuntimeError(
                f"oxigraph exited with {server.returncode}: {server.stderr.read() if server.stderr else ''}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, params={"query": "ASK {}"}, timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"oxigraph did not answer at {url} within {deadline_s} s")


@contextlib.contextmanager
def oxigraph_server(location: Path, command: str) -> Iterator[str]:
    """`oxigraph serve` or `serve-read-only` on a free port, loaded with the real ontology; its query URL."""
    subprocess.run(
        ["oxigraph", "load", "--location", str(location), "--file", str(DEFAULT_ONTOLOGY)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        ["oxigraph", command, "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so teardown stops exactly what was started here
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_answering(url, server)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        if server.stderr:
            server.stderr.close()


@dataclass(frozen=True)
class Served:
    base: str
    pid: int
    log: Path

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def rss_mb(self) -> float:
        rss = rss_mb(self.pid)
        assert rss is not None, f"no VmRSS for {self.pid}"
        return rss


@contextlib.contextmanager
def needling_serve(*args: str, **env: str) -> Iterator[Served]:
    """`python -m api serve` (the `needling serve` command) on a free port, with NEEDLING_* settings from
    `env`; its base URL, pid and log. Stopped with its workers (its own process group) on leaving."""
    port = free_port()
    command = [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with tempfile.TemporaryDirectory() as folder, servers_stopped_on_exit() as started:
        log = Path(folder) / "server.log"
        server = Server("needling serve", command, log=log, env={"NEEDLING_WATCH": "false", **env}, cwd=ROOT)
        started.append(server.start())
        base = f"http://127.0.0.1:{port}"
        server.wait_ready(f"{base}/healthz", timeout_s=60)
        yield Served(base, server.pid, log)


# --------------------------------------------------------------------------- raw requests


def connect(served: Served, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", served.port), timeout=timeout)


def read_until_closed(sock: socket.socket, limit_s: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection (or `limit_s` passes): the bytes, and
    the seconds it took. A reset counts as a close."""
    started = time.monotonic()
    received = b""
    while time.monotonic() - started < limit_s:
        sock.settimeout(max(0.05, limit_s - (time.monotonic() - started)))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except OSError:  # reset by the server
            return received, time.monotonic() - started
        if not chunk:
            return received, time.monotonic() - started
        received += chunk
    return received, float("inf")


def send_head_in_chunks(served: Served, head: bytes, limit_s: float) -> tuple[bytes, float]:
    """Send a (huge) request head 1 MB at a time, stopping when the server closes on it or `limit_s` has
    passed; then read the answer. The answer's bytes (maybe none, if the server reset) and the seconds."""
    started = time.monotonic()
    with connect(served, timeout=limit_s) as sock:
        with contextlib.suppress(OSError):
            for offset in range(0, len(head), 1 << 20):
                if time.monotonic() - started > limit_s:
                    break
                sock.sendall(head[offset : offset + (1 << 20)])
        answer, _ = read_until_closed(sock, max(0.5, limit_s - (time.monotonic() - started)))
    return answer, time.monotonic() - started


def status_of(answer: bytes) -> int | None:
    if not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer[9:12])


def raw_exchange(served: Served, request: bytes, limit_s: float = 10.0) -> bytes:
    """Send bytes exactly as given (repeated headers and all) on a new connection; the whole answer."""
    with connect(served, timeout=limit_s) as sock:
        sock.sendall(request)
        answer, _ = read_until_closed(sock, limit_s)
    return answer


def timed_health(base: str, timeout: float = 10.0) -> float:
    """Seconds for /healthz to answer 200, from a client of its own (`timeout` when it does not answer)."""
    started = time.perf_counter()
    try:
        response = httpx.get(f"{base}/healthz", timeout=timeout)
    except httpx.TimeoutException:
        return timeout
    assert response.status_code == 200, response.text[:300]
    return time.perf_counter() - started


# --------------------------------------------------------------------------- a store behind a password


class PasswordProxy:
    """A SPARQL endpoint that wants HTTP Basic credentials, in front of a real Oxigraph server: the
    set-up a deployment has when the store is not open to all. Records the Authorization headers seen."""

    def __init__(self, upstream: str, user: str, password: str) -> None:
        self.upstream = upstream
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                given = self.headers.get("Authorization", "")
                proxy.seen.append(given)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if given != proxy.expected:
                    self._answer(401, b"credentials required", "text/plain")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                upstream = httpx.post(proxy.upstream, content=body, headers=headers, timeout=30)
                self._answer(upstream.status_code, upstream.content, upstream.headers.get("content-type", ""))

            def _answer(self, status: int, body: bytes, media_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PasswordProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def answered(graph: KnowledgeGraph, question: str) -> dict:
    """The reply to a question, checked against the typed contract, which must be an answer."""
    from kg.qa import answer_question
    from kg.qa.model import Reply

    reply = answer_question(graph, question)
    Reply.model_validate(reply)
    assert reply["answered"], reply["text"]
    return reply


def answer_labels(reply: dict) -> set[str]:
    """The labels of a reply's answers, in lower case."""
    return {a["label"].lower() for a in reply["answers"]}
