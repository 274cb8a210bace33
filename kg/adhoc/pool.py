"""The parent side of the sandbox: warm workers forked from the loaded store, each query run in one under
a deadline that really stops the work (the worker is killed), and the typed errors of that."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import pyoxigraph as ox

from kg.adhoc.formats import GRAPH_FORMATS, SOLUTION_FORMATS
from kg.adhoc.free_list import FreeList
from kg.adhoc.guard import GuardedQuery
from kg.adhoc.handle import WorkerHandle, descriptors_under
from kg.adhoc.sandbox_errors import REPLACED, PoolClosed, QueryFailed, QueryTimeout, death_error
from kg.adhoc.wire import (
    DONE,
    FAILED_RETIRE,
    Reply,
    encode_request,
    exchange_async,
    read_reply,
    send_request,
    wait_readable,
)
from kg.adhoc.worker import worker_main

T = TypeVar("T")


@dataclass(frozen=True)
class SandboxResult:
    """A serialized query result, ready to send."""

    body: bytes
    media_type: str
    truncated: bool
    rows: int
    elapsed_ms: float


class SandboxPool:
    """Warm worker processes forked from the loaded store; ``run`` is blocking and thread-safe, and
    ``run_async`` is the same from an event loop; both may be used at once, sharing the workers.

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
        self._free: FreeList[WorkerHandle | None] = FreeList()
        self._workers: dict[int, WorkerHandle] = {}
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
                raise PoolClosed(REPLACED)
            if self._started:
                return
            self._started = True
            self._owner_pid = os.getpid()
            self._keep = descriptors_under(self._location) if self._location else frozenset()
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
        return _result(reply, clock_started)

    async def run_async(
        self, query: GuardedQuery, result_format: str, *, started: float | None = None
    ) -> SandboxResult:
        """`run` from an event loop, which it never blocks: it awaits a free worker and the answer (no thread
        of its own), and hands only the rare blocking steps (killing a worker, forking its replacement) to
        the loop's executor. The deadline and the worker's limits are those of `run`."""
        if result_format not in SOLUTION_FORMATS and result_format not in GRAPH_FORMATS:
            raise ValueError(f"unknown result format {result_format!r}")
        clock_started = time.perf_counter()
        deadline = (time.monotonic() if started is None else started) + self._deadline_s
        worker = await self._acquire_async(deadline)
        if time.monotonic() >= deadline:
            self._release(worker)
            raise self._timeout()
        try:
            request = encode_request(result_format, query.text)
            reply = await exchange_async(worker.conn, request, deadline - time.monotonic())
        except (EOFError, OSError):
            status = await _in_thread(self._retire, worker)
            if self._closed:
                raise PoolClosed(REPLACED) from None
            raise death_error(status, self._memory_limit_mb) from None
        except BaseException:  # cancelled mid-query: the worker may still answer, so it cannot be reused
            asyncio.get_running_loop().run_in_executor(None, self._retire, worker)
            raise
        if reply is None or reply.kind == FAILED_RETIRE:
            await _in_thread(self._retire, worker)
        else:
            self._release(worker)
        return _result(self._checked(reply), clock_started)

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
        for idle in self._free.drain():
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

    def _spawn(self) -> WorkerHandle:
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
        return WorkerHandle(pid, parent_conn)

    def _adopt(self, worker: WorkerHandle) -> None:
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
                raise PoolClosed(REPLACED)
            if not self._started:
                raise PoolClosed("sandbox pool is not started")
        if os.getpid() != self._owner_pid:
            raise PoolClosed("sandbox pool belongs to the process that started it; start one after forking")

    def _acquire(self, deadline: float) -> WorkerHandle:
        """Take a free worker, waiting for one until the deadline; dead idle workers are replaced."""
        self._check_usable()
        self._replenish()
        while True:
            try:
                worker = self._free.get(deadline - time.monotonic())
            except TimeoutError:
                raise self._timeout() from None
            idle = self._opened(worker)
            if not idle.looks_dead():
                return idle
            self._retire(idle)

    async def _acquire_async(self, deadline: float) -> WorkerHandle:
        self._check_usable()
        if self._missing:
            await _in_thread(self._replenish)
        while True:
            try:
                worker = await self._free.get_async(deadline - time.monotonic())
            except TimeoutError:
                raise self._timeout() from None
            idle = self._opened(worker)
            if not idle.looks_dead():
                return idle
            await _in_thread(self._retire, idle)

    def _opened(self, worker: WorkerHandle | None) -> WorkerHandle:
        """The worker taken; PoolClosed when it is the sentinel of a closed pool instead."""
        if worker is None:
            self._free.put(None)  # passed on: it wakes the next waiter too
            raise PoolClosed(REPLACED)
        return worker

    def _release(self, worker: WorkerHandle) -> None:
        with self._lock:
            if not self._closed:
                self._free.put(worker)
                return
        worker.conn.close()

    def _retire(self, worker: WorkerHandle) -> int | None:
        """Kill and reap a worker, then put a fresh one in its place; returns the old wait status."""
        with self._lock:
            self._workers.pop(worker.pid, None)
            closed = self._closed
        status = worker.stop()
        worker.conn.close()
        if not closed:
            self._replace()
        return status

    def _talk(self, worker: WorkerHandle, text: str, result_format: str, deadline: float) -> Reply | None:
        send_request(worker.conn, result_format, text)
        if not wait_readable(worker.poller, deadline - time.monotonic()):
            return None
        return read_reply(worker.conn)

    def _exchange(self, worker: WorkerHandle, text: str, result_format: str, deadline: float) -> Reply:
        try:
            reply = self._talk(worker, text, result_format, deadline)
        except (EOFError, OSError):
            status = self._retire(worker)
            if self._closed:
                raise PoolClosed(REPLACED) from None
            raise death_error(status, self._memory_limit_mb) from None
        except BaseException:
            self._retire(worker)
            raise
        if reply is None or reply.kind == FAILED_RETIRE:
            self._retire(worker)
        else:
            self._release(worker)
        return self._checked(reply)

    def _checked(self, reply: Reply | None) -> Reply:
        """The reply of a query that was answered; a timeout (None) or a failure raised as its error."""
        if reply is None:
            raise self._timeout()
        if reply.kind != DONE:
            raise QueryFailed(reply.message, code=reply.label)
        return reply


def _result(reply: Reply, clock_started: float) -> SandboxResult:
    elapsed_ms = (time.perf_counter() - clock_started) * 1000.0
    return SandboxResult(reply.body, reply.label, reply.truncated, reply.rows, elapsed_ms)


async def _in_thread(work: Callable[..., T], *args: object) -> T:
    """A blocking step (reaping a killed worker, forking another) on the running loop's executor."""
    return await asyncio.get_running_loop().run_in_executor(None, work, *args)
