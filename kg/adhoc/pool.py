"""The parent side of the sandbox: warm workers forked from the loaded store, each query run in one under
a deadline that really stops the work (the worker is killed), and the typed errors of that."""

from __future__ import annotations

import contextlib
import os
import queue
import select
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from kg.adhoc.formats import GRAPH_FORMATS, SOLUTION_FORMATS
from kg.adhoc.guard import GuardedQuery
from kg.adhoc.wire import DONE, FAILED_RETIRE, Reply, read_reply, readable_now, send_request, wait_readable
from kg.adhoc.worker import worker_main
from kg.errors import NeedlingError


class SandboxError(NeedlingError):
    """Base class of the sandbox errors; ``code`` is machine-readable, ``str(exc)`` is for people."""


class QueryTimeout(SandboxError):
    """The query did not finish before the deadline; its worker was killed."""

    code = "timeout"


class QueryFailed(SandboxError):
    """The query could not be answered (``query_error``, ``too_costly`` or ``worker_died``)."""

    code = "query_error"


_REPLACED = "the query workers were stopped (the graph is being reloaded); try the query again"


class PoolClosed(SandboxError):
    """The pool is not running (never started, or closed: a reload replaced it); try again shortly."""

    code = "unavailable"


@dataclass(frozen=True)
class SandboxResult:
    """A serialized query result, ready to send."""

    body: bytes
    media_type: str
    truncated: bool
    rows: int
    elapsed_ms: float


class _Worker:
    """Parent-side handle of one worker process."""

    def __init__(self, pid: int, conn: socket.socket) -> None:
        self.pid = pid
        self.conn = conn
        self.poller = select.poll()
        self.poller.register(conn.fileno(), select.POLLIN)
        self._lock = threading.Lock()
        self._reaped = False
        self._status: int | None = None

    def stop(self) -> int | None:
        """SIGKILL and reap (once: a reaped pid may already belong to someone else); the wait status."""
        with self._lock:
            if not self._reaped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                try:
                    self._status = os.waitpid(self.pid, 0)[1]
                except ChildProcessError:  # reaped behind our back (SIGCHLD ignored, waitpid(-1), ...)
                    self._status = None
                self._reaped = True
            return self._status

    def looks_dead(self) -> bool:
        """An idle worker has nothing to say: anything readable means end-of-file."""
        return readable_now(self.conn)


def _descriptors_under(folder: Path) -> frozenset[int]:
    """This process's open descriptors of files in `folder` (a read-only store opens all of its files)."""
    prefix = str(folder.resolve()) + os.sep
    found = set()
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{name}").startswith(prefix):
                found.add(int(name))
    return frozenset(found)


class SandboxPool:
    """Warm worker processes forked from the loaded store; ``run`` is blocking and thread-safe.

    Each worker sees the store as it was when that worker was forked (copy-on-write), and a
    replacement is forked from the store as it is now: for an in-memory store that does not change
    while the pool runs. After changing the store, close the pool and start a new one.
    """

    def __init__(
        self,
        store: ox.Store,
        *,
        size: int,
        deadline_s: float,
        row_cap: int,
        memory_limit_mb: int,
        location: Path | None = None,
    ) -> None:
        """`location`: the folder of a store persisted on disk, whose open files the workers keep."""
        if size < 1 or deadline_s <= 0 or row_cap < 1 or memory_limit_mb < 1:
            raise ValueError("size, deadline_s, row_cap and memory_limit_mb must be positive")
        self._store = store
        self._size = size
        self._deadline_s = deadline_s
        self._row_cap = row_cap
        self._memory_limit_mb = memory_limit_mb
        self._location = location
        self._keep: frozenset[int] = frozenset()
        self._lock = threading.Lock()
        self._free: queue.Queue[_Worker | None] = queue.Queue()
        self._workers: dict[int, _Worker] = {}
        self._missing = 0
        self._started = False
        self._closed = False
        self._owner_pid = os.getpid()

    @property
    def pids(self) -> list[int]:
        """Process ids of the current workers."""
        with self._lock:
            return sorted(self._workers)

    def start(self) -> None:
        """Fork the workers; call once the store is loaded. Calling it again is a no-op."""
        with self._lock:
            if self._closed:
                raise PoolClosed(_REPLACED)
            if self._started:
                return
            self._started = True
            self._owner_pid = os.getpid()
            self._keep = _descriptors_under(self._location) if self._location else frozenset()
        for _ in range(self._size):
            try:
                worker = self._spawn()
            except OSError:
                self.close()
                raise
            self._adopt(worker)

    def run(self, query: GuardedQuery, result_format: str, *, started: float | None = None) -> SandboxResult:
        """Run one query in a worker within the deadline, counted from `started` (a time.monotonic() of
        when the request arrived; now if not given): waiting for a free worker counts."""
        if result_format not in SOLUTION_FORMATS and result_format not in GRAPH_FORMATS:
            raise ValueError(f"unknown result format {result_format!r}")
        clock_started = time.perf_counter()
        deadline = (time.monotonic() if started is None else started) + self._deadline_s
        worker = self._acquire(deadline)
        if time.monotonic() >= deadline:  # it waited its whole deadline: no need to kill a healthy worker
            self._release(worker)
            raise self._timeout()
        reply = self._exchange(worker, query.text, result_format, deadline)
        return SandboxResult(
            body=reply.body,
            media_type=reply.label,
            truncated=reply.truncated,
            rows=reply.rows,
            elapsed_ms=(time.perf_counter() - clock_started) * 1000.0,
        )

    def close(self) -> None:
        """Kill and reap every worker. Idempotent; calls waiting for a worker get PoolClosed."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            worker.stop()  # busy ones too: their callers see end-of-file and get PoolClosed
        with contextlib.suppress(queue.Empty):
            while True:
                idle = self._free.get_nowait()
                if idle is not None:
                    idle.conn.close()
        self._free.put(None)  # wakes waiters; each one passes it on

    def __enter__(self) -> SandboxPool:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------------- internals

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(f"query timeout: no result within the {self._deadline_s:g} s deadline")

    def _spawn(self) -> _Worker:
        parent_pid = os.getpid()
        parent_conn, child_conn = socket.socketpair()
        try:
            pid = os.fork()
        except OSError:
            parent_conn.close()
            child_conn.close()
            raise
        if pid == 0:
            worker_main(
                child_conn.fileno(), self._store, self._row_cap, self._memory_limit_mb, parent_pid, self._keep
            )
        child_conn.close()
        return _Worker(pid, parent_conn)

    def _adopt(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._workers[worker.pid] = worker
                self._free.put(worker)
                return
        worker.stop()
        worker.conn.close()

    def _replace(self) -> None:
        """Fork a new worker; if the system refuses, remember to try again on the next call."""
        try:
            worker = self._spawn()
        except OSError:
            with self._lock:
                self._missing += 1
            return
        self._adopt(worker)

    def _replenish(self) -> None:
        with self._lock:
            missing, self._missing = self._missing, 0
        for _ in range(missing):
            self._replace()

    def _check_usable(self) -> None:
        with self._lock:
            if self._closed:
                raise PoolClosed(_REPLACED)
            if not self._started:
                raise PoolClosed("sandbox pool is not started")
        if os.getpid() != self._owner_pid:
            raise PoolClosed("sandbox pool belongs to the process that started it; start one after forking")

    def _acquire(self, deadline: float) -> _Worker:
        """Take a free worker, waiting for one until the deadline; dead idle workers are replaced."""
        self._check_usable()
        self._replenish()
        while True:
            try:
                worker = self._free.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise self._timeout() from None
            if worker is None:
                self._free.put(None)
                raise PoolClosed(_REPLACED)
            if not worker.looks_dead():
                return worker
            self._retire(worker)

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._free.put(worker)
                return
        worker.conn.close()

    def _retire(self, worker: _Worker) -> int | None:
        """Kill and reap a worker, then put a fresh one in its place; returns the old wait status."""
        with self._lock:
            self._workers.pop(worker.pid, None)
            closed = self._closed
        status = worker.stop()
        worker.conn.close()
        if not closed:
            self._replace()
        return status

    def _talk(self, worker: _Worker, text: str, result_format: str, deadline: float) -> Reply | None:
        send_request(worker.conn, result_format, text)
        if not wait_readable(worker.poller, deadline - time.monotonic()):
            return None
        return read_reply(worker.conn)

    def _exchange(self, worker: _Worker, text: str, result_format: str, deadline: float) -> Reply:
        try:
            reply = self._talk(worker, text, result_format, deadline)
        except (EOFError, OSError):
            status = self._retire(worker)
            if self._closed:
                raise PoolClosed(_REPLACED) from None
            raise self._death_error(status) from None
        except BaseException:
            self._retire(worker)
            raise
        if reply is None:
            self._retire(worker)
            raise self._timeout()
        if reply.kind == DONE:
            self._release(worker)
            return reply
        if reply.kind == FAILED_RETIRE:
            self._retire(worker)
        else:
            self._release(worker)
        raise QueryFailed(reply.message, code=reply.label)

    def _death_error(self, status: int | None) -> QueryFailed:
        if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
            # The engine aborts when an allocation fails, i.e. when the worker hit RLIMIT_AS.
            return QueryFailed(
                f"query exceeded the worker memory limit of {self._memory_limit_mb} MB", code="too_costly"
            )
        if status is None:
            detail = "exit status unknown"
        elif os.WIFSIGNALED(status):
            detail = f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
        else:
            detail = f"exit status {os.waitstatus_to_exitcode(status)}"
        return QueryFailed(
            f"the query worker died unexpectedly ({detail}); it was replaced", code="worker_died"
        )
