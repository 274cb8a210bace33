"""The idle workers, handed out first come, first served, to threads that block and to coroutines that await.

The pool used to keep them in a `queue.Queue`, which only a thread can wait on: every ad-hoc query from the
HTTP service then took a thread of its own just to wait for a worker and for its answer. Here a coroutine
waits on a future of its event loop instead, and a worker put back is handed straight to the longest
waiter, whichever kind it is.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class _Waiter(Generic[T]):
    """One caller waiting; `item` is set (under the list's lock) when it is served."""

    __slots__ = ("event", "future", "item", "loop", "served")

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] | None = loop.create_future() if loop else None
        self.event = None if loop else threading.Event()
        self.served = False
        self.item: T | None = None

    def serve(self, item: T) -> bool:
        """Hand `item` over; False when the waiter's loop has closed (nobody is left to take it)."""
        if self.event is not None:
            self.event.set()
        elif self.loop is asyncio._get_running_loop():  # on the waiter's own loop: no wake-up needed
            _wake(self.future)
        else:
            assert self.loop is not None
            try:
                self.loop.call_soon_threadsafe(_wake, self.future)
            except RuntimeError:
                return False
        self.served, self.item = True, item
        return True


def _wake(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


class FreeList(Generic[T]):
    """`put` an item; `get` (blocking) or `get_async` (awaiting) one, each with a timeout in seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: deque[T] = deque()
        self._waiters: deque[_Waiter[T]] = deque()

    def put(self, item: T) -> None:
        with self._lock:
            while self._waiters:
                if self._waiters.popleft().serve(item):
                    return
            self._idle.append(item)

    def get_nowait(self) -> T | None:
        """An idle item, or None when none is idle (None is also an item a caller may `put`: a sentinel)."""
        with self._lock:
            return self._idle.popleft() if self._idle else None

    def drain(self) -> list[T]:
        with self._lock:
            items = list(self._idle)
            self._idle.clear()
        return items

    def get(self, timeout_s: float) -> T:
        """The next item; TimeoutError after `timeout_s` seconds."""
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            waiter: _Waiter[T] = _Waiter(None)
            self._waiters.append(waiter)
        assert waiter.event is not None
        waiter.event.wait(max(0.0, timeout_s))
        return self._collect(waiter)

    async def get_async(self, timeout_s: float) -> T:
        """The next item, awaited on the running loop; TimeoutError after `timeout_s` seconds."""
        with self._lock:
            if self._idle:
                return self._idle.popleft()
            waiter: _Waiter[T] = _Waiter(asyncio.get_running_loop())
            self._waiters.append(waiter)
        assert waiter.loop is not None and waiter.future is not None
        timer = waiter.loop.call_later(max(0.0, timeout_s), _wake, waiter.future)
        try:
            await waiter.future
        except BaseException:  # cancelled: an item served meanwhile goes to the next caller
            with self._lock:
                if not waiter.served:
                    self._waiters.remove(waiter)
                    raise
            self.put(waiter.item)  # type: ignore[arg-type]
            raise
        finally:
            timer.cancel()
        return self._collect(waiter)

    def _collect(self, waiter: _Waiter[T]) -> T:
        with self._lock:
            if not waiter.served:
                self._waiters.remove(waiter)
                raise TimeoutError
        return waiter.item  # type: ignore[return-value]
