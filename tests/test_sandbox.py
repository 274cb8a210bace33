"""Tests for kg.sandbox: forked query workers with a deadline, a row cap and a memory limit."""

from __future__ import annotations

import csv
import faulthandler
import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import guarded, pool_of

from kg.adhoc import (
    GuardedQuery,
    PoolClosed,
    QueryFailed,
    QueryRefused,
    QueryTimeout,
    SandboxError,
    SandboxPool,
    SandboxResult,
)
from kg.adhoc.formats import OxTerm, serialize_solutions

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
N_SUBJECTS = 300
PREFIXES = f"PREFIX ex: <{EX}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
CARTESIAN = "SELECT (COUNT(*) AS ?c) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ODD_QUERY = PREFIXES + "SELECT ?o ?extra WHERE { ex:odd ex:q ?o OPTIONAL { ?o ex:never ?extra } } ORDER BY ?o"
REPO_ROOT = Path(__file__).resolve().parent.parent


def q(text: str) -> GuardedQuery:
    """A query's text as it reaches a worker. The service passes only what the guard accepted
    (kg.adhoc.guard, tested in test_guard.py); these tests hand the workers text directly, to show what
    they withstand on their own."""
    return GuardedQuery(text, "SELECT")


ODD_TEXT = 'comma, "quote"\nnewline\ttab\rcr\\backslash'
ODD_OBJECTS: list[OxTerm] = [
    ox.Literal(ODD_TEXT),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("d", language="ar", direction=ox.BaseDirection.RTL),
    ox.Literal("élan ☃ 𝄞 <&> ]]>"),
    ox.Literal(""),
    ox.BlankNode("b1"),
    ox.NamedNode(EX + "with#hash?and=query"),
    ox.Triple(ox.NamedNode(EX + "s0"), ox.NamedNode(EX + "p"), ox.Literal("quoted", language="en")),
]


def build_store() -> ox.Store:
    store = ox.Store()
    p = ox.NamedNode(EX + "p")
    for i in range(N_SUBJECTS):
        subject = ox.NamedNode(f"{EX}s{i}")
        store.add(ox.Quad(subject, p, ox.NamedNode(f"{EX}o{i}")))
        store.add(ox.Quad(subject, RDFS_LABEL, ox.Literal(f"label {i}", language="en")))
    odd, q = ox.NamedNode(EX + "odd"), ox.NamedNode(EX + "q")
    for term in ODD_OBJECTS:
        store.add(ox.Quad(odd, q, term))
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return build_store()


@pytest.fixture(scope="module")
def pool(store: ox.Store) -> Iterator[SandboxPool]:
    with pool_of(store, size=2, deadline_s=10.0) as shared:
        yield shared


def solutions_of(results: object) -> ox.QuerySolutions:
    assert isinstance(results, ox.QuerySolutions)
    return results


def rows_of(results: object) -> list[tuple[OxTerm | None, ...]]:
    return [tuple(solution) for solution in solutions_of(results)]


def triples_of(results: object) -> set[tuple[OxTerm, OxTerm, OxTerm]]:
    if isinstance(results, ox.QueryTriples):
        return {(t.subject, t.predicate, t.object) for t in results}
    assert isinstance(results, ox.QuadParser)
    return {(q.subject, q.predicate, q.object) for q in results}


def child_pids() -> set[int]:
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        text = (task / "children").read_text()
        pids.update(int(pid) for pid in text.split())
    return pids


def is_gone(pid: int) -> bool:
    """True once the process has exited (a zombie left to init counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in {"Z", "X"}


def wait_until(predicate: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# --------------------------------------------------------------------------- SELECT


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_round_trips_through_pyoxigraph(pool: SandboxPool, store: ox.Store, fmt: str) -> None:
    query = PREFIXES + "SELECT ?s ?o WHERE { ?s ex:p ?o } ORDER BY ?s"
    result = pool.run(q(query), fmt)
    parsed = ox.parse_query_results(result.body, getattr(ox.QueryResultsFormat, fmt.upper()))
    assert [v.value for v in solutions_of(parsed).variables] == ["s", "o"]
    assert rows_of(parsed) == rows_of(store.query(query))
    assert result.rows == N_SUBJECTS and not result.truncated
    assert result.media_type == getattr(ox.QueryResultsFormat, fmt.upper()).media_type


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_odd_terms_round_trip(pool: SandboxPool, store: ox.Store, fmt: str) -> None:
    result = pool.run(q(ODD_QUERY), fmt)
    parsed = rows_of(ox.parse_query_results(result.body, getattr(ox.QueryResultsFormat, fmt.upper())))
    expected = rows_of(store.query(ODD_QUERY))
    assert len(expected) == len(ODD_OBJECTS)
    assert parsed == expected


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_body_equals_the_engine_serializer(pool: SandboxPool, store: ox.Store, fmt: str) -> None:
    engine_format = getattr(ox.QueryResultsFormat, fmt.upper())
    for query in (ODD_QUERY, PREFIXES + "SELECT * WHERE { ?s rdfs:label ?l } ORDER BY ?s"):
        assert pool.run(q(query), fmt).body == store.query(query).serialize(format=engine_format)


def test_select_csv_header_rows_and_quoting(pool: SandboxPool) -> None:
    result = pool.run(q(PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s"), "csv")
    assert result.media_type.startswith("text/csv")
    text = result.body.decode()
    assert text.startswith("s,label\r\n") and text.endswith("\r\n")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == ["s", "label"]
    assert len(records) == N_SUBJECTS + 1
    assert records[1] == [f"{EX}s0", "label 0"]
    odd = list(csv.reader(io.StringIO(pool.run(q(ODD_QUERY), "csv").body.decode(), newline="")))
    values = {row[0] for row in odd[1:]}
    assert ODD_TEXT in values  # quoted field with comma, quote, CR and LF survives
    assert "_:b1" in values and "42" in values and "" in values
    assert all(row[1] == "" for row in odd[1:])  # unbound


def test_serializers_handle_empty_heads_and_unbound() -> None:
    store = ox.Store()
    for query in (
        "SELECT * WHERE {}",
        "SELECT ?x WHERE { FILTER(false) }",
        "SELECT ?x ?y WHERE { BIND(1 AS ?y) }",
    ):
        solutions = store.query(query)
        variables = [v.value for v in solutions_of(solutions).variables]
        rows = rows_of(solutions)
        for fmt in ("json", "xml", "csv", "tsv"):
            body, media_type = serialize_solutions(variables, rows, fmt)
            engine_format = getattr(ox.QueryResultsFormat, fmt.upper())
            assert media_type == engine_format.media_type
            if fmt != "csv":
                assert rows_of(ox.parse_query_results(body, engine_format)) == rows
            if fmt in ("json", "csv", "xml"):
                assert body == store.query(query).serialize(format=engine_format)


def test_select_with_a_graph_format_falls_back_to_json(pool: SandboxPool) -> None:
    result = pool.run(q(PREFIXES + "SELECT ?o WHERE { ex:s1 ex:p ?o }"), "turtle")
    assert result.media_type == "application/sparql-results+json"
    assert rows_of(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)) == [
        (ox.NamedNode(EX + "o1"),)
    ]


# --------------------------------------------------------------------------- ASK


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("answer", [True, False])
def test_ask(pool: SandboxPool, fmt: str, answer: bool) -> None:
    subject = "s1" if answer else "nobody"
    result = pool.run(q(PREFIXES + f"ASK {{ ex:{subject} ex:p ?o }}"), fmt)
    assert result.rows == 1 and not result.truncated
    if fmt in ("json", "xml", "tsv"):
        engine_format = ox.QueryResultsFormat.from_media_type(result.media_type)
        assert engine_format is not None
        assert bool(ox.parse_query_results(result.body, engine_format)) is answer
    else:
        assert result.body.decode().strip() == str(answer).lower()


def test_ask_with_a_graph_format_falls_back_to_json(pool: SandboxPool) -> None:
    result = pool.run(q("ASK {}"), "rdfxml")
    assert result.media_type == "application/sparql-results+json"
    assert bool(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)) is True


# --------------------------------------------------------------------------- CONSTRUCT / DESCRIBE


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdfxml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_round_trips(
    pool: SandboxPool, store: ox.Store, fmt: str, rdf_format: ox.RdfFormat
) -> None:
    query = PREFIXES + "CONSTRUCT { ?s ex:p ?o . ?s rdfs:label ?l } WHERE { ?s ex:p ?o ; rdfs:label ?l }"
    result = pool.run(q(query), fmt)
    assert result.media_type == rdf_format.media_type
    parsed = triples_of(ox.parse(result.body, rdf_format))
    expected = triples_of(store.query(query))
    assert parsed == expected and len(expected) == 2 * N_SUBJECTS
    assert result.rows == 2 * N_SUBJECTS and not result.truncated


def test_graph_query_with_a_solution_format_falls_back_to_turtle(pool: SandboxPool) -> None:
    result = pool.run(q(PREFIXES + "DESCRIBE ex:s7"), "csv")
    assert result.media_type == "text/turtle"
    triples = triples_of(ox.parse(result.body, ox.RdfFormat.TURTLE))
    assert (ox.NamedNode(EX + "s7"), RDFS_LABEL, ox.Literal("label 7", language="en")) in triples
    assert result.rows == len(triples) == 2


# --------------------------------------------------------------------------- row cap


def test_row_cap_truncates_select(store: ox.Store) -> None:
    with pool_of(store, size=1, row_cap=50) as capped:
        for fmt in ("json", "xml", "tsv"):
            result = capped.run(q(PREFIXES + "SELECT ?s WHERE { ?s ex:p ?o }"), fmt)
            assert result.truncated and result.rows == 50
            parsed = ox.parse_query_results(result.body, getattr(ox.QueryResultsFormat, fmt.upper()))
            assert len(rows_of(parsed)) == 50
        csv_result = capped.run(q(PREFIXES + "SELECT ?s WHERE { ?s ex:p ?o }"), "csv")
        assert csv_result.body.count(b"\r\n") == 51
        exact = capped.run(q(PREFIXES + "SELECT ?s WHERE { ?s ex:p ?o } LIMIT 50"), "json")
        assert not exact.truncated and exact.rows == 50


def test_a_large_result_at_the_cap_comes_whole_and_one_row_more_is_cut(store: ox.Store) -> None:
    query = PREFIXES + "SELECT ?s ?o WHERE { ?s ex:p ?o } ORDER BY ?s"
    for fmt in ("json", "csv"):
        engine_body = store.query(query).serialize(format=getattr(ox.QueryResultsFormat, fmt.upper()))
        with pool_of(store, size=1, row_cap=N_SUBJECTS) as at_cap:
            whole = at_cap.run(q(query), fmt)
        assert not whole.truncated and whole.rows == N_SUBJECTS
        assert whole.body == engine_body
        with pool_of(store, size=1, row_cap=N_SUBJECTS - 1) as below:
            cut = below.run(q(query), fmt)
        assert cut.truncated and cut.rows == N_SUBJECTS - 1
        assert engine_body.startswith(cut.body[: len(cut.body) - 40])  # the same document, one row short
        assert len(cut.body) < len(engine_body)


def test_row_cap_truncates_graph_results(store: ox.Store) -> None:
    with pool_of(store, size=1, row_cap=25) as capped:
        result = capped.run(q("CONSTRUCT WHERE { ?s ?p ?o }"), "ntriples")
        assert result.truncated and result.rows == 25
        assert len(list(ox.parse(result.body, ox.RdfFormat.N_TRIPLES))) == 25
        small = capped.run(q(PREFIXES + "CONSTRUCT WHERE { ex:s1 ?p ?o }"), "ntriples")
        assert not small.truncated and small.rows == 2


# --------------------------------------------------------------------------- failures


def test_syntax_error_is_a_query_error(pool: SandboxPool) -> None:
    with pytest.raises(QueryFailed) as caught:
        pool.run(q("SELECT * WHERE { ?s ?p }"), "json")
    assert caught.value.code == "query_error"
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert "error at" in message  # the engine's own words
    assert pool.run(q("ASK {}"), "json").rows == 1


def test_unknown_prefix_and_update_are_query_errors(pool: SandboxPool) -> None:
    for query in ("SELECT * WHERE { ?s nope:p ?o }", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"):
        with pytest.raises(QueryFailed) as caught:
            pool.run(q(query), "json")
        assert caught.value.code == "query_error"


def test_service_is_refused_before_it_reaches_a_worker(pool: SandboxPool) -> None:
    with pytest.raises(QueryRefused) as caught:
        guarded("SELECT * WHERE { SeRvIcE <http://127.0.0.1:8080/sparql> { ?s ?p ?o } }")
    assert caught.value.code == "service" and "SERVICE" in str(caught.value)
    # The word inside strings, IRIs, comments and variable names is fine.
    query = 'SELECT ?service WHERE { BIND("SERVICE" AS ?service) } # SERVICE'
    assert pool.run(guarded(query), "json").rows == 1


def test_worker_cannot_open_sockets(store: ox.Store) -> None:
    # The guard refuses SERVICE with a clear message; a worker has no descriptor to spare anyway.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        with pool_of(store, size=1) as single, pytest.raises(QueryFailed) as caught:
            single.run(
                q(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"), "json"
            )
        assert caught.value.code == "query_error"
        assert "open files" in str(caught.value)  # EMFILE
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody ever connected


def test_workers_run_as_batch_work(pool: SandboxPool) -> None:
    # A query's worker never preempts the service that sent it (kg/adhoc/worker.py, _isolate_child).
    assert pool.pids  # each sets its policy as it starts: wait for that, not for a query
    assert wait_until(lambda: all(os.sched_getscheduler(pid) == os.SCHED_BATCH for pid in pool.pids))
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # the parent keeps its own


def test_deep_nesting_and_huge_queries_never_reach_a_worker(pool: SandboxPool) -> None:
    """The engine's recursive parser would overflow its stack on thousands of brackets or unary operators,
    so the guard refuses them; a worker runs a moderately nested query."""
    for deep in ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, "ASK { FILTER(" + "!" * 5000 + "true) }"):
        with pytest.raises(QueryRefused) as caught:
            guarded(deep)
        assert caught.value.code == "too_deep" and "nests more than" in str(caught.value)
    with pytest.raises(QueryRefused) as caught:
        guarded("ASK {} #" + "x" * 200_000)
    assert caught.value.code == "too_long"
    assert pool.run(guarded("SELECT * WHERE " + "{" * 50 + "}" * 50), "json").rows == 1


def test_unknown_format_is_a_programming_error(pool: SandboxPool) -> None:
    with pytest.raises(ValueError):
        pool.run(q("ASK {}"), "yaml")


@pytest.fixture
def quiet_faulthandler() -> Iterator[None]:
    """Workers inherit pytest's faulthandler; a deliberate crash need not dump a stack into the log."""
    was_enabled = faulthandler.is_enabled()
    faulthandler.disable()
    yield
    if was_enabled:
        faulthandler.enable(file=sys.__stderr__ or sys.stderr)


@pytest.mark.usefixtures("quiet_faulthandler")
def test_idle_worker_that_died_is_replaced_transparently(store: ox.Store) -> None:
    with pool_of(store, size=1) as single:
        (victim,) = single.pids
        os.kill(victim, signal.SIGSEGV)
        assert wait_until(lambda: is_gone(victim))
        assert single.run(q("ASK { ?s ?p ?o }"), "json").rows == 1
        assert len(single.pids) == 1 and single.pids != [victim]
        with pytest.raises(ChildProcessError):
            os.waitpid(victim, os.WNOHANG)


@pytest.mark.slow
@pytest.mark.usefixtures("quiet_faulthandler")
def test_worker_crash_during_a_query_is_reported_and_replaced(store: ox.Store) -> None:
    outcome: list[BaseException] = []
    with pool_of(store, size=1, deadline_s=20.0) as single:
        (victim,) = single.pids

        def call() -> None:
            try:
                single.run(q(CARTESIAN), "json")
            except SandboxError as exc:
                outcome.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.3)
        os.kill(victim, signal.SIGSEGV)
        caller.join(5)
        assert len(outcome) == 1 and isinstance(outcome[0], QueryFailed)
        assert outcome[0].code == "worker_died" and "SIGSEGV" in str(outcome[0])
        assert is_gone(victim)
        assert single.run(q("ASK {}"), "json").rows == 1
        assert len(single.pids) == 1 and single.pids != [victim]


def test_pool_refuses_to_run_in_a_forked_copy(pool: SandboxPool) -> None:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            pool.run(q("ASK {}"), "json")
        except PoolClosed:
            os._exit(0)
        except BaseException:
            os._exit(2)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pool.run(q("ASK {}"), "json").rows == 1


@pytest.mark.slow
def test_catastrophic_query_times_out_and_worker_is_replaced(store: ox.Store) -> None:
    with pool_of(store, size=1, deadline_s=1.0) as single:
        (victim,) = single.pids
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as caught:
            single.run(q(CARTESIAN), "json")
        took = time.monotonic() - started
        assert 0.9 < took < 2.0
        assert caught.value.code == "timeout"
        assert "timeout" in str(caught.value) and "1 s" in str(caught.value)
        with pytest.raises(ProcessLookupError):
            os.kill(victim, 0)
        result = single.run(q(PREFIXES + "SELECT ?o WHERE { ex:s5 ex:p ?o }"), "json")
        assert rows_of(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON)) == [
            (ox.NamedNode(EX + "o5"),)
        ]
        assert len(single.pids) == 1 and single.pids != [victim]


@pytest.mark.slow
def test_timeout_from_a_non_main_thread(store: ox.Store) -> None:
    """The replacement is forked from the calling thread (as under uvicorn); it must still work."""
    outcome: list[BaseException | SandboxResult] = []
    with pool_of(store, size=1, deadline_s=0.5) as single:

        def call() -> None:
            try:
                single.run(q(CARTESIAN), "json")
            except SandboxError as exc:
                outcome.append(exc)
            outcome.append(single.run(q("ASK { ?s ?p ?o }"), "xml"))

        worker_thread = threading.Thread(target=call)
        worker_thread.start()
        worker_thread.join(10)
        assert isinstance(outcome[0], QueryTimeout)
        assert isinstance(outcome[1], SandboxResult) and b"true" in outcome[1].body
        assert single.run(q("ASK {}"), "json").rows == 1


@pytest.mark.slow
def test_memory_bomb_is_contained(store: ox.Store) -> None:
    doublings = "".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(30))
    bomb = f'SELECT (STRLEN(?v30) AS ?n) WHERE {{ BIND("aaaaaaaaaa" AS ?v0) {doublings} }}'
    sort_bomb = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?i"
    with pool_of(store, size=1, deadline_s=5.0, memory_limit_mb=200) as small:
        for query in (bomb, sort_bomb):
            with pytest.raises((QueryFailed, QueryTimeout)) as caught:
                small.run(q(query), "json")
            assert caught.value.code in {"too_costly", "timeout"}
            assert small.run(q("ASK { ?s ?p ?o }"), "json").rows == 1


def test_concurrent_callers_each_get_their_own_answer(store: ox.Store) -> None:
    errors: list[str] = []
    with pool_of(store, size=2, deadline_s=30.0) as shared:

        def caller(thread_no: int) -> None:
            for n in range(20):
                k = (thread_no * 20 + n) % N_SUBJECTS
                result = shared.run(q(PREFIXES + f"SELECT ?o WHERE {{ ex:s{k} ex:p ?o }}"), "json")
                got = rows_of(ox.parse_query_results(result.body, ox.QueryResultsFormat.JSON))
                if got != [(ox.NamedNode(f"{EX}o{k}"),)]:
                    errors.append(f"thread {thread_no} query {n}: {got}")

        threads = [threading.Thread(target=caller, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)
    assert errors == []


# --------------------------------------------------------------------------- lifecycle


def test_close_leaves_no_child_processes(store: ox.Store) -> None:
    sandbox = pool_of(store, size=3)
    sandbox.start()
    pids = sandbox.pids
    assert len(pids) == 3 and set(pids) <= child_pids()
    assert sandbox.run(q("ASK {}"), "json").rows == 1
    sandbox.close()
    sandbox.close()  # idempotent
    assert not set(pids) & child_pids()
    for pid in pids:
        assert is_gone(pid)
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: no zombies left behind
    with pytest.raises(PoolClosed):
        sandbox.run(q("ASK {}"), "json")
    with pytest.raises(PoolClosed):
        sandbox.start()


def test_run_before_start_is_refused(store: ox.Store) -> None:
    sandbox = pool_of(store)
    with pytest.raises(PoolClosed) as caught:
        sandbox.run(q("ASK {}"), "json")
    assert caught.value.code == "unavailable" and "not started" in str(caught.value)
    sandbox.close()


@pytest.mark.slow
def test_close_wakes_busy_and_waiting_callers(store: ox.Store) -> None:
    outcomes: list[BaseException] = []
    with pool_of(store, size=1, deadline_s=20.0) as single:

        def call() -> None:
            try:
                single.run(q(CARTESIAN), "json")
            except SandboxError as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=call) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        pids = single.pids
        single.close()
        for thread in threads:
            thread.join(5)
    assert len(outcomes) == 2 and all(isinstance(exc, PoolClosed) for exc in outcomes)
    assert all(is_gone(pid) for pid in pids)


@pytest.mark.slow
def test_workers_exit_when_the_parent_dies(tmp_path: Path) -> None:
    script = tmp_path / "orphan.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, sys
            sys.path.insert(0, {str(REPO_ROOT)!r})
            import pyoxigraph
            from kg.adhoc import SandboxPool
            pool = SandboxPool(pyoxigraph.Store(), size=2, deadline_s=5, row_cap=10, memory_limit_mb=512)
            pool.start()
            print(*pool.pids, flush=True)
            os._exit(0)  # no close(): the workers must notice on their own
            """
        )
    )
    completed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)
    pids = [int(pid) for pid in completed.stdout.split()]
    assert len(pids) == 2, completed.stderr
    assert wait_until(lambda: all(is_gone(pid) for pid in pids), timeout_s=5.0)
