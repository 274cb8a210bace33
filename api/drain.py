"""Blocking work handed to a few threads that drain one queue, its answers handed back in batches.

A request whose answer no cache holds runs its query on a thread, and the hop there and back cost about
200 us of CPU a request on the development machine with anyio's `to_thread` (a thread woken for each call,
the event loop woken for each answer): a sixth of a named query's whole cost. Here, threads take calls from a
queue and keep going while there are more, so under load one wake-up serves every call queued meanwhile; and
answers wait in a list that the event loop empties in one wake-up, so the loop is woken once for all the
answers ready by then. One call alone costs what it did.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[asyncio.Future[Any], contextvars.Context, Callable[..., Any], tuple[Any, ...]]


def default_threads() -> int:
    """As many threads as `concurrent.futures.ThreadPoolExecutor` takes by default: the cores this process
    may use, plus four for calls that wait on something other than the CPU."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(32, cores + 4)


class Drain:
    """`await drain.run(work, *args)`: `work(*args)` on one of `threads` threads, started on first use. The
    threads serve one event loop; a call from another (a test's next client) starts threads of its own, and
    those of the loop before end."""

    def __init__(self, threads: int, name: str) -> None:
        if threads < 1:
            raise ValueError("a drain needs at least one thread")
        self.threads = threads
        self.name = name
        self._lane: _Lane | None = None

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        lane = self._lane
        if lane is None or lane.loop is not loop:
            if lane is not None:
                lane.close()
            lane = self._lane = _Lane(loop, self.threads, self.name)
        future: asyncio.Future[T] = loop.create_future()
        lane.jobs.put((future, contextvars.copy_context(), work, args))
        return await future

    def close(self) -> None:
        """Let the threads end once the calls queued before are done."""
        if self._lane is not None:
            self._lane.close()
            self._lane = None


class _Lane:
    """The queue, the threads and the answers of one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, threads: int, name: str) -> None:
        self.loop = loop
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        self._threads = threads
        for slot in range(threads):
            threading.Thread(target=self._work, name=f"{name}-{slot}", daemon=True).start()

    def close(self) -> None:
        for _ in range(self._threads):
            self.jobs.put(None)

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            future, context, work, args = job
            try:
                answer: tuple[asyncio.Future[Any], Any, BaseException | None] = (
                    future,
                    context.run(work, *args),
                    None,
                )
            except BaseException as exc:  # handed to the awaiting coroutine, which raises it
                answer = (future, None, exc)
            with self._lock:
                self._answers.append(answer)
                first = len(self._answers) == 1
            if first:  # the loop is woken once for every answer ready before it runs
                try:
                    self.loop.call_soon_threadsafe(self._deliver)
                except RuntimeError:  # the loop has closed: nobody waits for these answers
                    return

    def _deliver(self) -> None:
        with self._lock:
            answers, self._answers = self._answers, []
        for future, value, error in answers:
            if future.cancelled():
                continue
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)
