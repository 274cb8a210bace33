"""Graceful shutdown: SIGTERM lets the request in flight finish, refuses new ones, and leaves no worker behind.

The server is started the way it is deployed, `python -m api serve` (uvicorn with a 10 s graceful
shutdown), with a 3 s query deadline. A slow ad-hoc query is found by measurement on this machine: a
2-way cartesian COUNT multiplied by a `VALUES` block of k rows, k chosen so it takes about 1.5 s.
Unlike test_sparql's `running_server` (uvicorn on a pre-bound socket), this needs the process itself and
the deployed command, which binds its own port: a free one is picked just before, a small race.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from helpers import free_port, wait_until_ready
from test_sparql import CARTESIAN

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 3.0
TARGET_S = 1.5
EXIT_WITHIN_S = 15.0


def slow_query(k: int) -> str:
    """Every triple against k hundred of them: fine steps, so that one about TARGET_S is found on a fast
    machine and on a slow one (every triple against every other took about the whole deadline here)."""
    return (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . {{ SELECT ?d WHERE {{ ?d ?e ?f }} LIMIT {100 * k} }} }}"
    )


@dataclass
class Served:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`python -m api serve` on a free loopback port; killed (with its group) if a test leaves it running."""
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("NEEDLING_")}
    env = {
        **inherited,
        "NEEDLING_WATCH": "false",
        "NEEDLING_ACCESS_LOG": "false",
        "NEEDLING_DEADLINE_S": f"{DEADLINE_S:g}",
    }
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        with log.open("rb") as reader:
            wait_until_ready(process, f"http://127.0.0.1:{port}", reader)
        yield Served(f"http://127.0.0.1:{port}", process, log)
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def children(pid: int) -> set[int]:
    """The direct children of a process, from /proc (every thread's `children` list)."""
    found: set[int] = set()
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                found.update(int(child) for child in text.split())
    return found


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def timed_post(base: str, query: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = httpx.post(f"{base}/sparql", data={"query": query}, timeout=20)  # POST: never cached
    return time.perf_counter() - started, response


def calibrated_slow_query(base: str) -> tuple[str, float]:
    """A query that takes about TARGET_S here, well inside the deadline; and its measured time."""
    k = 1
    for _ in range(6):
        took, response = timed_post(base, slow_query(k))
        if response.status_code == 503:  # a busy machine overshot the deadline (even at k=1): smaller, again
            k = max(1, k // 2)
            continue
        assert response.status_code == 200, response.text
        if 0.8 * TARGET_S <= took <= 1.5 * TARGET_S:
            return slow_query(k), took
        k = max(1, min(400, math.ceil(k * TARGET_S / max(took, 0.01))))
    took, _ = timed_post(base, slow_query(k))
    return slow_query(k), took


@pytest.mark.parametrize("kind", ["answered", "deadline"])
def test_sigterm_finishes_the_request_in_flight_and_exits_cleanly(served: Served, kind: str) -> None:
    workers = children(served.process.pid)
    assert len(workers) == 2, f"expected the two sandbox workers, found {workers}"
    if kind == "answered":
        query, took = calibrated_slow_query(served.base)
        assert 0.5 < took < DEADLINE_S, f"no query of about {TARGET_S} s found (last took {took:.2f} s)"
    else:
        query = CARTESIAN  # can only end at the deadline, with a 503
    results: list[httpx.Response | BaseException] = []

    def in_flight() -> None:
        try:
            results.append(httpx.post(f"{served.base}/sparql", data={"query": query}, timeout=20))
        except BaseException as exc:  # a reset or a hang is what this test is looking for
            results.append(exc)

    request = threading.Thread(target=in_flight, daemon=True)
    request.start()
    time.sleep(0.4)  # the query is in its worker by now
    assert request.is_alive(), "the slow request ended before the signal"
    signalled = time.monotonic()
    served.process.send_signal(signal.SIGTERM)

    # While the request is still running, the listening socket is already closed.
    refused = None
    while time.monotonic() - signalled < 1.0 and refused is None:
        try:
            httpx.get(f"{served.base}/healthz", timeout=2)
        except httpx.ConnectError:
            refused = time.monotonic() - signalled
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    still_running = request.is_alive()

    request.join(timeout=EXIT_WITHIN_S)
    assert not request.is_alive(), "the request in flight got no answer"
    code = served.process.wait(timeout=EXIT_WITHIN_S)
    exited = time.monotonic() - signalled
    log = served.log.read_text(encoding="utf-8", errors="replace")

    assert refused is not None, "new connections were still accepted 1 s after SIGTERM"
    assert still_running, "the request finished before new connections were refused; nothing was tested"
    [result] = results
    assert isinstance(result, httpx.Response), f"the request in flight failed: {result!r}\n{log[-2000:]}"
    if kind == "answered":
        assert result.status_code == 200, result.text
        assert result.json()["results"]["bindings"][0]["n"]["value"].isdigit()
    else:
        assert result.status_code == 503, result.text
        assert result.json()["error"]["code"] == "timeout"
    # 0, or the SIGTERM that uvicorn re-raises once its graceful shutdown is done (see the test below)
    assert code == 0, f"exit status {code}\n{log[-2000:]}"
    assert exited < EXIT_WITHIN_S
    left = sorted(pid for pid in workers | children(served.process.pid) if alive(pid))
    assert not left, f"workers still running after the server exited: {left}"
    assert "Traceback" not in log, log[-3000:]


def test_sigterm_exit_status_is_zero(served: Served) -> None:
    assert httpx.get(f"{served.base}/healthz", timeout=5).status_code == 200
    served.process.send_signal(signal.SIGTERM)
    code = served.process.wait(timeout=EXIT_WITHIN_S)
    log = served.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert code == 0, f"exit status {code}"
