"""Run ad-hoc SPARQL in pre-forked worker processes under a deadline that really stops the work."""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import queue
import re
import resource
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe
from types import TracebackType
from typing import Any, NoReturn

import pyoxigraph as ox

from kg.results_format import Term, serialize_solutions

__all__ = [
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "PoolClosed",
    "QueryFailed",
    "QueryTimeout",
    "SandboxError",
    "SandboxPool",
    "SandboxResult",
    "Term",
    "serialize_solutions",
]


SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

_MAX_QUERY_CHARS = 100_000  # keeps a request well inside the socket buffer, so sending never blocks
_MAX_NESTING = 200  # the engine's recursive parser overflows its stack somewhere above ~2,000 levels
_CHILD_FD = 3  # the worker's only descriptor besides stdin/stdout/stderr
_IDLE_CHECK_S = 1.0  # how often an idle worker checks that its parent is still alive

# Strings, IRIs and comments: blanked out before looking at brackets and keywords.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.S,
)
_SERVICE = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:\-])", re.I)
_BRACKET = re.compile(r"[(){}\[\]]")
# Unary operators nest in the parser as brackets do: a few thousand "!" in a row overflow its stack too.
_OPERATOR_CHAIN = re.compile(rf"(?:[!+\-^]\s*){{{_MAX_NESTING},}}")


class SandboxError(Exception):
    """Base class of the sandbox errors; ``code`` is machine-readable, ``str(exc)`` is for people."""

    code: str = "sandbox_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class QueryTimeout(SandboxError):
    """The query did not finish before the deadline; its worker was killed."""

    code = "timeout"


class QueryFailed(SandboxError):
    """The query could not be answered (``query_error``, ``too_large`` or ``worker_died``)."""

    code = "query_error"


class PoolClosed(SandboxError):
    """The pool is not running (never started, or closed)."""

    code = "pool_closed"


@dataclass(frozen=True)
class SandboxResult:
    """A serialized query result, ready to send."""

    body: bytes
    media_type: str
    truncated: bool
    rows: int
    elapsed_ms: float


# --------------------------------------------------------------------------- serializers


def _take(results: Iterator[Any], cap: int) -> tuple[list[Any], bool]:
    kept = list(itertools.islice(results, cap))
    return kept, next(results, None) is not None


def _evaluate(store: ox.Store, query: str, result_format: str, row_cap: int) -> tuple[bytes, str, bool, int]:
    result = store.query(query)
    if isinstance(result, ox.QueryBoolean):
        fmt = SOLUTION_FORMATS.get(result_format, ox.QueryResultsFormat.JSON)
        try:
            body = result.serialize(format=fmt)
        except ValueError:  # a format without a boolean form
            fmt = ox.QueryResultsFormat.JSON
            body = result.serialize(format=fmt)
        return body or b"", fmt.media_type, False, 1
    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        solutions, truncated = _take(result, row_cap)
        body, media_type = serialize_solutions(variables, [tuple(s) for s in solutions], result_format)
        return body, media_type, truncated, len(solutions)
    triples, truncated = _take(result, row_cap)
    rdf_format = GRAPH_FORMATS.get(result_format, ox.RdfFormat.TURTLE)
    body = ox.serialize(triples, format=rdf_format) or b""  # bytes whenever no output file is given
    return body, rdf_format.media_type, truncated, len(triples)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0].strip() if lines else type(exc).__name__
    return text[:500]


def _handle(store: ox.Store, request: tuple[str, str], row_cap: int) -> tuple[Any, ...]:
    """Answer one request: ("ok", media_type, truncated, rows, body) or ("error", code, message, retire)."""
    query, result_format = request
    try:
        body, media_type, truncated, rows = _evaluate(store, query, result_format, row_cap)
    except MemoryError:
        return ("error", "too_large", "query exceeded the worker memory limit", True)
    except RecursionError:
        return ("error", "too_large", "query too deeply nested", True)
    except Exception as exc:  # SyntaxError, ValueError, OSError, ... from the engine
        return ("error", "query_error", _first_line(exc), False)
    except BaseException as exc:  # e.g. a Rust panic surfaced by pyo3: answer, then start afresh
        return ("error", "query_error", f"query engine failure: {_first_line(exc)}", True)
    return ("ok", media_type, truncated, rows, body)


def _close_inherited_fds() -> None:
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        os.closerange(_CHILD_FD + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        return
    for name in names:
        if int(name) > _CHILD_FD:
            with contextlib.suppress(OSError):
                os.close(int(name))


def _reset_signals() -> None:
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    for signum in signal.valid_signals():
        with contextlib.suppress(ValueError, OSError, TypeError):
            if signum == signal.SIGINT:
                signal.signal(signum, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
            elif callable(signal.getsignal(signum)):
                signal.signal(signum, signal.SIG_DFL)  # no parent (uvicorn, asyncio) Python handlers here


def _apply_limits(memory_limit_mb: int) -> None:
    with open("/proc/self/statm", "rb") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = current + memory_limit_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    # No new descriptors at all: no files, no sockets, so SERVICE cannot reach the network.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (_CHILD_FD + 1, hard))


def _isolate_child(conn_fd: int, memory_limit_mb: int) -> Connection:
    gc.freeze()  # the inherited heap is never scanned (or collected) here: fewer copied pages
    if conn_fd != _CHILD_FD:
        os.dup2(conn_fd, _CHILD_FD)
    _close_inherited_fds()  # sibling pipes, server sockets: only the parent may hold them
    _reset_signals()
    os.environ["RUST_BACKTRACE"] = "0"  # an allocation failure aborts; keep the log to one line
    _apply_limits(memory_limit_mb)
    return Connection(_CHILD_FD)


def _serve(conn: Connection, store: ox.Store, row_cap: int, parent_pid: int) -> None:
    while True:
        if not conn.poll(_IDLE_CHECK_S):
            if os.getppid() != parent_pid:
                return
            continue
        try:
            request = conn.recv()
        except EOFError:
            return
        reply = _handle(store, request, row_cap)
        try:
            conn.send(reply[:-1] if reply[0] == "ok" else reply)
        except MemoryError:
            conn.send(("error", "too_large", "query result exceeded the worker memory limit", True))
            return
        if reply[0] == "ok":
            conn.send_bytes(reply[-1])
        elif reply[-1]:
            return


def _worker_main(
    conn_fd: int, store: ox.Store, row_cap: int, memory_limit_mb: int, parent_pid: int
) -> NoReturn:
    """Body of a forked worker: never returns into the parent's code, never runs its exit handlers."""
    status = 0
    try:
        conn = _isolate_child(conn_fd, memory_limit_mb)
        _serve(conn, store, row_cap, parent_pid)
    except BaseException:
        status = 1
    finally:
        os._exit(status)


# --------------------------------------------------------------------------- parent side


def _check_query_text(query: str) -> None:
    """Cheap lexical checks that spare a worker from crashing or reaching out."""
    if len(query) > _MAX_QUERY_CHARS:
        raise QueryFailed(f"query too long (more than {_MAX_QUERY_CHARS} characters)", code="too_large")
    code = _OPAQUE.sub(" ", query)
    if _SERVICE.search(code):
        raise QueryFailed("SERVICE (federated query) is not allowed", code="query_error")
    depth = deepest = 0
    for match in _BRACKET.finditer(code):
        depth += 1 if match.group() in "({[" else -1
        deepest = max(deepest, depth)
    if deepest > _MAX_NESTING:
        raise QueryFailed("query too deeply nested", code="too_large")
    if _OPERATOR_CHAIN.search(code):
        raise QueryFailed("query too deeply nested (a long chain of unary operators)", code="too_large")


class _Worker:
    """Parent-side handle of one worker process."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn
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
        try:
            return self.conn.poll(0)
        except OSError:
            return True


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
        size: int = 2,
        deadline_s: float = 5.0,
        row_cap: int = 10_000,
        memory_limit_mb: int = 1024,
    ) -> None:
        if size < 1 or deadline_s <= 0 or row_cap < 1 or memory_limit_mb < 1:
            raise ValueError("size, deadline_s, row_cap and memory_limit_mb must be positive")
        self._store = store
        self._size = size
        self._deadline_s = deadline_s
        self._row_cap = row_cap
        self._memory_limit_mb = memory_limit_mb
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
                raise PoolClosed("sandbox pool is closed")
            if self._started:
                return
            self._started = True
            self._owner_pid = os.getpid()
        for _ in range(self._size):
            try:
                worker = self._spawn()
            except OSError:
                self.close()
                raise
            self._adopt(worker)

    def run(self, query: str, result_format: str, *, started: float | None = None) -> SandboxResult:
        """Run one query in a worker within the deadline, counted from `started` (a time.monotonic() of
        when the request arrived; now if not given): waiting for a free worker counts."""
        if result_format not in SOLUTION_FORMATS and result_format not in GRAPH_FORMATS:
            raise ValueError(f"unknown result format {result_format!r}")
        clock_started = time.perf_counter()
        _check_query_text(query)
        deadline = (time.monotonic() if started is None else started) + self._deadline_s
        worker = self._acquire(deadline)
        if time.monotonic() >= deadline:  # it waited its whole deadline: no need to kill a healthy worker
            self._release(worker)
            raise self._timeout()
        header, body = self._exchange(worker, (query, result_format), deadline)
        return SandboxResult(
            body=body,
            media_type=header[1],
            truncated=header[2],
            rows=header[3],
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
        parent_conn, child_conn = Pipe(duplex=True)
        try:
            pid = os.fork()
        except OSError:
            parent_conn.close()
            child_conn.close()
            raise
        if pid == 0:
            _worker_main(child_conn.fileno(), self._store, self._row_cap, self._memory_limit_mb, parent_pid)
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
                raise PoolClosed("sandbox pool is closed")
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
                raise PoolClosed("sandbox pool is closed")
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

    def _talk(self, worker: _Worker, request: tuple[str, str], deadline: float) -> tuple[Any, bytes] | None:
        worker.conn.send(request)
        if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
            return None
        header = worker.conn.recv()
        return header, (worker.conn.recv_bytes() if header[0] == "ok" else b"")

    def _exchange(self, worker: _Worker, request: tuple[str, str], deadline: float) -> tuple[Any, bytes]:
        try:
            reply = self._talk(worker, request, deadline)
        except (EOFError, OSError):
            status = self._retire(worker)
            if self._closed:
                raise PoolClosed("sandbox pool was closed during the query") from None
            raise self._death_error(status) from None
        except BaseException:
            self._retire(worker)
            raise
        if reply is None:
            self._retire(worker)
            raise self._timeout()
        header, body = reply
        if header[0] == "ok":
            self._release(worker)
            return header, body
        _, code, message, retire = header
        if retire:
            self._retire(worker)
        else:
            self._release(worker)
        raise QueryFailed(message, code=code)

    def _death_error(self, status: int | None) -> QueryFailed:
        if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
            # The engine aborts when an allocation fails, i.e. when the worker hit RLIMIT_AS.
            return QueryFailed(
                f"query exceeded the worker memory limit of {self._memory_limit_mb} MB", code="too_large"
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
