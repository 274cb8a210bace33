"""`needling serve --workers N`: N processes answer on one listening socket and share one loaded graph.

The parent binds the socket (or takes `--fd`), loads the graph once (the store opened from its folder on
disk, the question answerer, the label index, the fixed answers) and forks N children that serve it with
uvicorn on the socket they inherit. What the parent built is shared by all of them, copy-on-write, and the
store's files sit once in the page cache. The parent answers no request: it watches the files, keeps N
children running, and on SIGTERM or SIGINT stops them (each finishes its requests in flight) and exits 0.

A reload is a new generation of children. The parent loads and checks the edit while the children go on
serving. A broken edit changes nothing, and the parent writes why to a status file the children read, so
their /healthz says it. A good edit: each old child stops accepting connections and says so on a pipe;
only then are N new children forked from the new graph, so a new connection never reaches an old child
once a new one may have answered. An old child then answers what its open connections still ask, each
answer closing its connection, and exits once none is left (an idle one closes at its keep-alive timeout).
A process serves one graph version all its life: no request, and no process, mixes two.

A remote store (`--store URL`) has nothing to share: each child opens its own connection.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import shutil
import signal
import socket
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from api import heap
from api.app import load_snapshot
from api.balance import ConnectionCounts
from api.reload import POLL_S, checked_load, failure_line, fingerprint, write_status
from api.serving_child import Child, child_main
from api.state import Snapshot
from kg.settings import Settings

log = logging.getLogger("needling.processes")
_TICK_S = 0.1
_ACK_S = 5.0
_STOP_GRACE_S = 15.0


@dataclass
class _Child:
    pid: int
    stopped_accepting: int
    """Read end of a pipe the child writes one byte to once it no longer accepts connections."""
    snapshot: Snapshot | None
    slot: int
    """Where it publishes how many connections it holds (api/balance.py); a replacement takes the same."""


def serve_processes(settings: Settings, count: int, *, fd: int | None = None) -> int:
    listening = _listening_socket(settings, fd)
    run_dir = Path(tempfile.mkdtemp(prefix="needling-serve-"))
    supervisor = _Supervisor(settings, count, listening, run_dir / "status.json")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        supervisor.start()
        log.info("needling-kg serving http://%s:%d from %d processes", settings.host, settings.port, count)
        supervisor.run(stop)
    finally:
        supervisor.stop_all()
        shutil.rmtree(run_dir, ignore_errors=True)
        listening.close()
    return 0


def _listening_socket(settings: Settings, fd: int | None) -> socket.socket:
    if fd is not None:
        return socket.socket(fileno=fd)
    listening = socket.create_server((settings.host, settings.port), backlog=2048)
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted connections
    return listening


class _Supervisor:
    def __init__(self, settings: Settings, count: int, listening: socket.socket, status: Path) -> None:
        self.settings = settings
        self.count = count
        self.listening = listening
        self.status = status
        self.shared = settings.store is None  # a remote store: each child connects on its own
        self.snapshot: Snapshot | None = None
        self.current: dict[int, _Child] = {}
        self.retiring: dict[int, _Child] = {}
        self._seen = fingerprint(settings)
        self._checked_at = time.monotonic()
        self._loading: Future[Snapshot] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="needling-load")
        self.counts = ConnectionCounts(count)

    def start(self) -> None:
        if self.shared:
            self.snapshot = load_snapshot(self.settings)
            write_status(self.status, self.snapshot.graph.version, None)
        self._fork_generation()

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(_TICK_S):
            self._reap()
            if self.shared and self.settings.watch:
                self._watch()

    # ------------------------------------------------------------------ children

    def _fork_generation(self) -> None:
        # What the children inherit is never scanned by their collector: fewer copied pages.
        heap.settle(thaw=True)
        for slot in range(self.count):
            self._fork_child(slot)

    def _fork_child(self, slot: int) -> None:
        ack_read, ack_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ack_read)
            status = self.status if self.shared else None
            child_main(
                Child(self.settings, self.snapshot, self.listening, ack_write, status, (self.counts, slot))
            )
        os.close(ack_write)
        self.current[pid] = _Child(pid, ack_read, self.snapshot, slot)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            was_current = pid in self.current
            gone = self.current.pop(pid, None) or self.retiring.pop(pid, None)
            if gone is None:
                continue
            os.close(gone.stopped_accepting)
            if was_current:
                log.warning("serving process %d ended (%s); starting another", pid, _how(status))
                self._fork_child(gone.slot)

    def stop_all(self) -> None:
        """SIGTERM to every child (each finishes what it is answering), SIGKILL to any left after the grace."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        children = {**self.current, **self.retiring}
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        give_up = time.monotonic() + _STOP_GRACE_S
        waiting = set(children)
        while waiting and time.monotonic() < give_up:
            for pid in list(waiting):
                with contextlib.suppress(ChildProcessError):
                    if os.waitpid(pid, os.WNOHANG)[0] == 0:
                        continue
                waiting.discard(pid)
            time.sleep(0.05)
        for pid in waiting:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        for child in children.values():
            with contextlib.suppress(OSError):
                os.close(child.stopped_accepting)
        self.current.clear()
        self.retiring.clear()

    # ------------------------------------------------------------------ reloads

    def _watch(self) -> None:
        if self._loading is not None:
            if self._loading.done():
                self._loaded(self._loading)
                self._loading = None
            return
        if time.monotonic() - self._checked_at < POLL_S:
            return
        self._checked_at = time.monotonic()
        current = fingerprint(self.settings)
        if current != self._seen:
            time.sleep(0.2)  # let an editor finish writing before reading
            self._seen = fingerprint(self.settings)
            assert self.snapshot is not None
            self._loading = self._executor.submit(checked_load, self.settings, self.snapshot, load_snapshot)

    def _loaded(self, loading: Future[Snapshot]) -> None:
        assert self.snapshot is not None
        try:
            fresh = loading.result()
        except Exception as exc:  # every failure of an edit is reported, none stops the service
            write_status(self.status, self.snapshot.graph.version, failure_line(exc))
            log.warning("reload failed, still serving version %s: %s", self.snapshot.graph.version, exc)
            return
        self._retire_current()
        self.snapshot = fresh
        write_status(self.status, fresh.graph.version, None)
        self._fork_generation()
        log.info("reloaded: version %s, %d triples", fresh.graph.version, fresh.graph.store.triples)

    def _retire_current(self) -> None:
        """Ask every current child to stop accepting, and wait until each says it has (or is gone)."""
        for pid in self.current:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGUSR1)
        give_up = time.monotonic() + _ACK_S
        for child in self.current.values():
            ready, _, _ = select.select(
                [child.stopped_accepting], [], [], max(0.0, give_up - time.monotonic())
            )
            if not ready:
                log.warning("serving process %d did not stop accepting in time; stopping it", child.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signal.SIGKILL)
        self.retiring.update(self.current)
        self.current = {}


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
