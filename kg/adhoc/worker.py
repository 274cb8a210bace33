"""The worker side of the sandbox: a forked process with a memory limit and no descriptors to spare,
answering one query at a time with its result already serialized (the wire: `kg/adhoc/wire.py`)."""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import resource
import select
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

import pyoxigraph as ox

from kg.adhoc.formats import engine_graph_format, engine_solution_format, serialize_solutions
from kg.adhoc.wire import DONE, FAILED, FAILED_RETIRE, read_request, send_reply

_CHILD_FD = 3  # the worker's socket: its only descriptor besides stdio (and a store's files on disk)
_IDLE_CHECK_S = 1.0  # how often an idle worker checks that its parent is still alive
# The engine writes only a whole result, so the row cap keeps rows and our writers write them. In CSV ours
# takes 3 us a row, where the engine evaluates the query again and writes it in 0.6 (4,084 rows, SELECT ?s ?p
# ?o), so a result under the cap is evaluated again and written by the engine when the first evaluation took
# less than that saves (the engine's CSV is byte for byte ours). In JSON our writer (orjson, 1.9 us a row) is
# within 0.3 us a row of evaluating again with the engine's: it always writes.
_ENGINE_SAVES_S_PER_ROW = {"csv": 3e-6}
_ENGINE_MIN_ROWS = 64


@dataclass(frozen=True)
class Request:
    """What the pool asks of a worker: a guarded query's text and the format to answer in."""

    query: str
    result_format: str


@dataclass(frozen=True)
class Done:
    """The head of an answer; the serialized body goes with it."""

    media_type: str
    truncated: bool
    rows: int


@dataclass(frozen=True)
class Failed:
    """A query that could not be answered; `retire` when the worker should not take another."""

    code: str
    message: str
    retire: bool


def _take(results: Iterator[Any], cap: int) -> tuple[list[Any], bool]:
    kept = list(itertools.islice(results, cap))
    return kept, next(results, None) is not None


def _engine_writes_faster(result_format: str, rows: int, started: float) -> bool:
    """Whether evaluating again and letting the engine write the whole result beats our writer."""
    saved = _ENGINE_SAVES_S_PER_ROW.get(result_format)
    return saved is not None and rows >= _ENGINE_MIN_ROWS and time.perf_counter() - started < rows * saved


def _evaluate(store: ox.Store, request: Request, row_cap: int) -> tuple[Done, bytes]:
    started = time.perf_counter()
    result = store.query(request.query)
    if isinstance(result, ox.QueryBoolean):
        fmt = engine_solution_format(request.result_format)
        try:
            body = result.serialize(format=fmt)
        except ValueError:  # a format without a boolean form
            fmt = ox.QueryResultsFormat.JSON
            body = result.serialize(format=fmt)
        return Done(fmt.media_type, False, 1), body or b""
    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        solutions, truncated = _take(result, row_cap)
        if not truncated and _engine_writes_faster(request.result_format, len(solutions), started):
            fmt = engine_solution_format(request.result_format)
            again = store.query(request.query)  # the same read-only store: the same solutions
            if isinstance(again, ox.QuerySolutions):
                return Done(fmt.media_type, False, len(solutions)), again.serialize(format=fmt) or b""
        body, media_type = serialize_solutions(
            variables, [tuple(s) for s in solutions], request.result_format
        )
        return Done(media_type, truncated, len(solutions)), body
    triples, truncated = _take(result, row_cap)
    rdf_format = engine_graph_format(request.result_format)
    body = ox.serialize(triples, format=rdf_format) or b""  # bytes whenever no output file is given
    return Done(rdf_format.media_type, truncated, len(triples)), body


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0].strip() if lines else type(exc).__name__
    return text[:500]


def _handle(store: ox.Store, request: Request, row_cap: int) -> tuple[Done, bytes] | Failed:
    """Answer one request with its head and body, or say why it failed."""
    try:
        return _evaluate(store, request, row_cap)
    except MemoryError:
        return Failed("too_costly", "query exceeded the worker memory limit", True)
    except RecursionError:
        return Failed("too_costly", "query too deeply nested", True)
    except Exception as exc:  # SyntaxError, ValueError, OSError, ... from the engine
        return Failed("query_error", _first_line(exc), False)
    except BaseException as exc:  # e.g. a Rust panic surfaced by pyo3: answer, then start afresh
        return Failed("query_error", f"query engine failure: {_first_line(exc)}", True)


def _close_inherited_fds(own: frozenset[int]) -> None:
    """Close every descriptor above stderr but `own` (the socket, and a store's files)."""
    try:
        names = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        names = list(range(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
    for fd in names:
        if fd > 2 and fd not in own:
            with contextlib.suppress(OSError):
                os.close(fd)


def _fill_gaps(own: frozenset[int]) -> int:
    """Take every free descriptor number below the highest one kept (with /dev/null), so that with the
    limit just above it no new descriptor can be opened; the limit to set."""
    top = max(own)
    null = os.open(os.devnull, os.O_RDONLY)
    for fd in range(3, top):
        if fd not in own and fd != null:
            os.dup2(null, fd)
    if null > top:
        os.close(null)
    return top + 1


def _reset_signals() -> None:
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    for signum in signal.valid_signals():
        with contextlib.suppress(ValueError, OSError, TypeError):
            if signum == signal.SIGINT:
                signal.signal(signum, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
            elif callable(signal.getsignal(signum)):
                signal.signal(signum, signal.SIG_DFL)  # no parent (uvicorn, asyncio) Python handlers here


def _apply_limits(memory_limit_mb: int, descriptors: int) -> None:
    with open("/proc/self/statm", "rb") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = current + memory_limit_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    # No new descriptors at all: no files, no sockets, so SERVICE cannot reach the network. A store on disk
    # keeps the files it opened (all of them: a read-only RocksDB opens every table file at the start).
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (descriptors, hard))


def _isolate_child(conn_fd: int, memory_limit_mb: int, keep: frozenset[int]) -> socket.socket:
    # Batch work to the scheduler: a worker woken by a query no longer preempts the service that sent it, which
    # goes on to its next event (on one core, 1.77 -> 1.64 context switches a varying /sparql request).
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    gc.freeze()  # the inherited heap is never scanned (or collected) here: fewer copied pages
    child_fd = _CHILD_FD if _CHILD_FD not in keep else max(keep) + 1  # a store's file may sit at 3
    if conn_fd != child_fd:
        os.dup2(conn_fd, child_fd)
    own = keep | {child_fd}
    _close_inherited_fds(own)  # sibling sockets, server sockets: only the parent may hold them
    _reset_signals()
    os.environ["RUST_BACKTRACE"] = "0"  # an allocation failure aborts; keep the log to one line
    _apply_limits(memory_limit_mb, _fill_gaps(own))
    return socket.socket(fileno=child_fd)  # wraps the descriptor: opens no new one


def _serve(sock: socket.socket, store: ox.Store, row_cap: int, parent_pid: int) -> None:
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    idle_ms = int(_IDLE_CHECK_S * 1000)
    while True:
        if not poller.poll(idle_ms):
            if os.getppid() != parent_pid:
                return
            continue
        try:
            result_format, query = read_request(sock)
        except (EOFError, OSError):
            return
        reply = _handle(store, Request(query, result_format), row_cap)
        if isinstance(reply, Failed):
            kind = FAILED_RETIRE if reply.retire else FAILED
            send_reply(sock, kind, reply.code, reply.message.encode("utf-8", "replace"))
            if reply.retire:
                return
            continue
        head, body = reply
        try:
            send_reply(sock, DONE, head.media_type, body, truncated=head.truncated, rows=head.rows)
        except MemoryError:
            message = b"query result exceeded the worker memory limit"
            send_reply(sock, FAILED_RETIRE, "too_costly", message)
            return


def worker_main(
    conn_fd: int,
    store: ox.Store,
    row_cap: int,
    memory_limit_mb: int,
    parent_pid: int,
    keep: frozenset[int] = frozenset(),
) -> NoReturn:
    """Body of a forked worker: never returns into the parent's code, never runs its exit handlers.
    `keep`: the descriptors of a store on disk, left open."""
    status = 0
    try:
        sock = _isolate_child(conn_fd, memory_limit_mb, keep)
        _serve(sock, store, row_cap, parent_pid)
    except BaseException:
        status = 1
    finally:
        os._exit(status)
