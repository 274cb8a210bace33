"""The sandbox awaited from an event loop (`SandboxPool.run_async`): the same answers, deadline, memory limit
and replacement of workers as `run`, with threads and coroutines sharing the workers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pyoxigraph as ox
import pytest
from helpers import pool_of
from test_sandbox import CARTESIAN, EX, PREFIXES, build_store, is_gone, q, rows_of

from kg.adhoc import PoolClosed, QueryFailed, QueryTimeout, SandboxPool, SandboxResult

T = TypeVar("T")

ONE_ROW = PREFIXES + "SELECT ?o WHERE { ex:s5 ex:p ?o }"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine on a new event loop in a thread of its own: a loop another test left running in the
    main thread (Playwright's, in a full run) must not stop asyncio.run here."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return build_store()


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (ONE_ROW, "json"),
        (PREFIXES + "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s", "csv"),
        (PREFIXES + "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", "xml"),
        ("ASK { ?s ?p ?o }", "tsv"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "ntriples"),
    ],
)
def test_awaited_answers_are_those_of_run(store: ox.Store, text: str, fmt: str) -> None:
    with pool_of(store, size=1) as single:
        awaited = run(single.run_async(q(text), fmt))
        blocking = single.run(q(text), fmt)
    assert (awaited.body, awaited.media_type, awaited.rows) == (
        blocking.body,
        blocking.media_type,
        blocking.rows,
    )
    assert awaited.body


def test_a_result_larger_than_the_socket_takes_comes_whole(store: ox.Store) -> None:
    """Several megabytes arrive in many pieces; the loop reads them as they come."""
    big = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 40000"
    with pool_of(store, size=1, row_cap=50_000) as single:
        awaited = run(single.run_async(q(big), "json"))
        blocking = single.run(q(big), "json")
    assert len(awaited.body) > 4_000_000 and awaited.body == blocking.body and awaited.rows == 40_000


def test_query_errors_are_raised_and_the_worker_stays(store: ox.Store) -> None:
    with pool_of(store, size=1) as single:
        (pid,) = single.pids
        with pytest.raises(QueryFailed) as caught:
            run(single.run_async(q("SELECT ?x WHERE { ?x undefined:p ?y }"), "json"))
        assert caught.value.code == "query_error"
        assert single.pids == [pid]
        assert run(single.run_async(q("ASK {}"), "json")).rows == 1


@pytest.mark.slow
def test_a_query_past_its_deadline_is_killed_and_the_loop_keeps_serving(store: ox.Store) -> None:
    async def scenario(single: SandboxPool) -> tuple[BaseException, float, int]:
        ticks = 0

        async def tick() -> None:  # the loop is never blocked while the query runs
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        started = time.monotonic()
        try:
            await single.run_async(q(CARTESIAN), "json")
        except QueryTimeout as exc:
            caught: BaseException = exc
        ticker.cancel()
        return caught, time.monotonic() - started, ticks

    with pool_of(store, size=1, deadline_s=1.0) as single:
        (victim,) = single.pids
        caught, took, ticks = run(scenario(single))
        assert isinstance(caught, QueryTimeout) and caught.code == "timeout"
        assert 0.9 < took < 2.0 and ticks > 50
        assert is_gone(victim)
        result = run(single.run_async(q(ONE_ROW), "json"))
        assert rows_of(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)) == [
            (ox.NamedNode(EX + "o5"),)
        ]
        assert len(single.pids) == 1 and single.pids != [victim]


@pytest.mark.slow
def test_the_memory_limit_holds_for_awaited_queries(store: ox.Store) -> None:
    doublings = "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(30))
    bomb = f'SELECT (STRLEN(?v30) AS ?n) WHERE {{ BIND("aaaaaaaaaa" AS ?v0) {doublings} }}'
    with pool_of(store, size=1, deadline_s=5.0, memory_limit_mb=200) as small:
        with pytest.raises((QueryFailed, QueryTimeout)) as caught:
            run(small.run_async(q(bomb), "json"))
        assert caught.value.code in {"too_costly", "timeout"}
        assert run(small.run_async(q("ASK { ?s ?p ?o }"), "json")).rows == 1


def test_threads_and_coroutines_share_the_workers(store: ox.Store) -> None:
    """More callers than workers, half of them threads: each gets its own answer, none waits forever."""
    texts = [PREFIXES + f"SELECT ?o WHERE {{ ex:s{i} ex:p ?o }}" for i in range(24)]
    errors: list[str] = []

    def check(i: int, result: SandboxResult) -> None:
        rows = rows_of(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON))
        if rows != [(ox.NamedNode(f"{EX}o{i}"),)]:
            errors.append(f"query {i}: {rows}")

    with pool_of(store, size=2) as shared:

        def in_thread(i: int) -> None:
            check(i, shared.run(q(texts[i]), "json"))

        async def awaited() -> None:
            async def one(i: int) -> None:
                check(i, await shared.run_async(q(texts[i]), "json"))

            await asyncio.gather(*(one(i) for i in range(0, len(texts), 2)))

        threads = [threading.Thread(target=in_thread, args=(i,)) for i in range(1, len(texts), 2)]
        for thread in threads:
            thread.start()
        run(awaited())
        for thread in threads:
            thread.join(10)
        assert errors == []
        assert len(shared.pids) == 2


@pytest.mark.slow
def test_a_cancelled_query_retires_its_worker(store: ox.Store) -> None:
    """A caller that goes away mid-query (a client that disconnected) leaves no worker half-way through a
    query behind: it is replaced, and the next caller gets its own answer."""

    async def scenario(single: SandboxPool) -> None:
        task = asyncio.create_task(single.run_async(q(CARTESIAN), "json"))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with pool_of(store, size=1, deadline_s=20.0) as single:
        (victim,) = single.pids
        run(scenario(single))
        deadline = time.monotonic() + 5
        while not is_gone(victim) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert is_gone(victim)
        result = run(single.run_async(q(ONE_ROW), "json"))
        assert b"o5" in result.body and single.pids != [victim]


@pytest.mark.slow
def test_close_wakes_awaiting_callers(store: ox.Store) -> None:
    async def scenario(single: SandboxPool) -> list[BaseException | SandboxResult]:
        calls = [asyncio.create_task(single.run_async(q(CARTESIAN), "json")) for _ in range(3)]
        await asyncio.sleep(0.3)
        await asyncio.get_running_loop().run_in_executor(None, single.close)
        return await asyncio.gather(*calls, return_exceptions=True)

    with pool_of(store, size=1, deadline_s=20.0) as single:
        pids = single.pids
        outcomes = run(scenario(single))
    assert len(outcomes) == 3 and all(isinstance(o, PoolClosed) for o in outcomes), outcomes
    assert all(is_gone(pid) for pid in pids)


def test_waiting_for_a_worker_counts_against_the_deadline(store: ox.Store) -> None:
    """A caller that waits its whole deadline for a worker gets a timeout without a worker being killed."""

    async def scenario(single: SandboxPool) -> BaseException | SandboxResult:
        busy = asyncio.create_task(single.run_async(q(CARTESIAN), "json", started=time.monotonic() + 30))
        await asyncio.sleep(0.2)
        started = time.monotonic() - single_deadline + 0.3  # 0.3 s of its deadline left
        outcome = await asyncio.gather(
            single.run_async(q("ASK {}"), "json", started=started), return_exceptions=True
        )
        busy.cancel()
        await asyncio.gather(busy, return_exceptions=True)
        return outcome[0]

    single_deadline = 5.0
    with pool_of(store, size=1, deadline_s=single_deadline) as single:
        outcome = run(scenario(single))
        assert isinstance(outcome, QueryTimeout)
