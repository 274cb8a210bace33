"""api/drain.py: blocking calls run on the drain's threads, never on the event loop, and every caller gets
its own answer or its own error, alone or in a crowd, across event loops."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from api.drain import Drain

T = TypeVar("T")


def _run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on a thread of its own: the browser tests' Playwright keeps an event loop running
    in the main thread for the rest of the session."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, main).result()


def test_a_call_runs_off_the_event_loop_and_returns_its_answer() -> None:
    drain = Drain(2, "test")

    async def main() -> tuple[int, int]:
        return threading.get_ident(), await drain.run(lambda x: (threading.get_ident(), x * 2)[0], 21)

    loop_thread, worker_thread = _run(main())
    assert loop_thread != worker_thread
    drain.close()


def test_a_crowd_of_calls_each_gets_its_own_answer_while_the_loop_stays_free() -> None:
    drain = Drain(3, "test")

    def slow_square(n: int) -> int:
        time.sleep(0.002)
        return n * n

    async def main() -> tuple[list[int], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        beat = asyncio.create_task(ticker())
        answers = await asyncio.gather(*(drain.run(slow_square, n) for n in range(200)))
        beat.cancel()
        return answers, ticks

    answers, ticks = _run(main())
    assert answers == [n * n for n in range(200)]
    assert ticks > 20  # the event loop ran other work while the calls ran
    drain.close()


def test_an_error_reaches_its_own_caller_only() -> None:
    drain = Drain(2, "test")

    def maybe(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    async def main() -> list[object]:
        return await asyncio.gather(*(drain.run(maybe, n) for n in range(6)), return_exceptions=True)

    results = _run(main())
    assert results[:3] == [0, 1, 2] and results[4:] == [4, 5]
    assert isinstance(results[3], ValueError) and str(results[3]) == "three"
    drain.close()


def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    drain = Drain(1, "test")
    release = threading.Event()

    async def main() -> list[int]:
        blocked = asyncio.ensure_future(drain.run(release.wait, 5))
        others = [asyncio.ensure_future(drain.run(lambda n: n, n)) for n in range(3)]
        await asyncio.sleep(0.05)
        blocked.cancel()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await blocked
        return list(await asyncio.gather(*others))

    assert _run(main()) == [0, 1, 2]
    drain.close()


def test_it_serves_a_second_event_loop_after_the_first_has_closed() -> None:
    drain = Drain(2, "test")
    assert _run(drain.run(lambda: "first")) == "first"
    assert _run(drain.run(lambda: "second")) == "second"
    drain.close()


def test_at_least_one_thread() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        Drain(0, "test")
