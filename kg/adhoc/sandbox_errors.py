"""The sandbox's errors, each with its code, and how a worker's death during a query is told to the caller."""

from __future__ import annotations

import os
import signal

from kg.errors import NeedlingError


class SandboxError(NeedlingError):
    """Base class of the sandbox errors; ``code`` is machine-readable, ``str(exc)`` is for people."""


class QueryTimeout(SandboxError):
    """The query did not finish before the deadline; its worker was killed."""

    code = "timeout"


class QueryFailed(SandboxError):
    """The query could not be answered (``query_error``, ``too_costly`` or ``worker_died``)."""

    code = "query_error"


REPLACED = "the query workers were stopped (the graph is being reloaded); try the query again"


class PoolClosed(SandboxError):
    """The pool is not running (never started, or closed: a reload replaced it); try again shortly."""

    code = "unavailable"


def death_error(status: int | None, memory_limit_mb: int) -> QueryFailed:
    """The error of a worker that died during a query, from its wait status."""
    if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
        # The engine aborts when an allocation fails, i.e. when the worker hit RLIMIT_AS.
        return QueryFailed(
            f"query exceeded the worker memory limit of {memory_limit_mb} MB", code="too_costly"
        )
    if status is None:
        detail = "exit status unknown"
    elif os.WIFSIGNALED(status):
        detail = f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        detail = f"exit status {os.waitstatus_to_exitcode(status)}"
    return QueryFailed(f"the query worker died unexpectedly ({detail}); it was replaced", code="worker_died")
