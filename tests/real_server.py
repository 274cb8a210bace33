"""Real processes and raw sockets for the hostile tests: `needling serve` as deployed, its memory, a store
behind a password, and requests sent byte by byte as an attacker would send them."""

from __future__ import annotations

import base64
import contextlib
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.procs import Server, free_port, rss_mb, servers_stopped_on_exit

ROOT = Path(__file__).resolve().parent.parent


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
    """`python -m kg serve` (the `needling serve` command) on a free port, with NEEDLING_* settings from
    `env`; its base URL, pid and log. Stopped with its workers (its own process group) on leaving."""
    port = free_port()
    command = [sys.executable, "-m", "kg", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
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
