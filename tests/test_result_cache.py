"""The in-memory answers of named queries: the same answers as the store gives, shared, bounded, thread-safe."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from api.app import create_app
from kg.engine import KnowledgeGraph
from kg.engine.result_cache import ResultCache
from kg.settings import Settings
from kg.terms import QueryResult

DRY_NEEDLING = {"modality": "dry-needling"}
ACUPUNCTURE = {"modality": "acupuncture"}


def fresh(graph: KnowledgeGraph, rows: int = 50_000) -> KnowledgeGraph:
    """The real graph and catalogue with a cache of its own (the session graph's is shared by other tests)."""
    return KnowledgeGraph(graph.store, graph.catalogue, result_cache_rows=rows)


def labels(result: QueryResult, column: str) -> list[str]:
    return [row[column].value for row in result.rows]


def test_a_repeated_query_is_read_from_memory_with_the_same_answer(graph: KnowledgeGraph) -> None:
    cached = fresh(graph)
    first = cached.run("conditions_of_modality", DRY_NEEDLING)
    assert (len(cached.results), cached.results.passed) == (0, 1)  # asked once: nothing kept
    again = cached.run("conditions_of_modality", DRY_NEEDLING)  # asked again: kept
    third = cached.run("conditions_of_modality", DRY_NEEDLING)
    assert "Sciatica" in labels(first, "conditionLabel")
    assert third.rows == again.rows == first.rows
    assert third.sparql == first.sparql
    assert (cached.results.misses, cached.results.hits, len(cached.results)) == (2, 1, 1)


def test_answers_never_asked_for_again_leave_nothing_behind(graph: KnowledgeGraph) -> None:
    cached = fresh(graph)
    for cents in range(50):  # a price moved freely: a new text every time
        result = cached.run("treatments_under_price", {"max_price": f"200.{cents:02d}"})
        assert len(result.rows) == 2
    assert (len(cached.results), cached.results.rows, cached.results.passed) == (0, 0, 50)


def test_each_binding_of_the_parameters_is_its_own_answer(graph: KnowledgeGraph) -> None:
    cached = fresh(graph)
    dry = cached.run("conditions_of_modality", DRY_NEEDLING)
    acu = cached.run("conditions_of_modality", ACUPUNCTURE)
    assert labels(acu, "conditionLabel") != labels(dry, "conditionLabel")
    for spelt in ("acupuncture", "nkg:acupuncture"):  # kept, then read: the same IRI, spelt otherwise
        again = cached.run("conditions_of_modality", {"modality": spelt})
    assert again.rows == acu.rows
    assert again.params == acu.params == {"modality": "https://needling-kg.example.org/kg/acupuncture"}
    assert (cached.results.misses, cached.results.hits) == (3, 1)


def test_pages_of_a_paged_query_are_kept_apart_with_their_next_offset(graph: KnowledgeGraph) -> None:
    cached = fresh(graph)
    params = {"resource": "dry-needling", "limit": 5}
    first = cached.run("resource_links", params)
    second = cached.run("resource_links", {**params, "offset": 5})
    assert first.next_offset == 5
    assert first.rows != second.rows
    assert cached.run("resource_links", params).next_offset == 5
    assert cached.run("resource_links", {**params, "offset": 5}).rows == second.rows


def test_answers_that_take_no_parameters_are_ready_before_the_first_caller(graph: KnowledgeGraph) -> None:
    cached = fresh(graph)
    warmed = cached.warm()
    assert {"compare_modalities", "source_sections"} <= set(warmed)
    assert all(not graph.query(name).params for name in warmed)
    misses = cached.results.misses
    rows = cached.run("compare_modalities").rows
    assert (cached.results.misses, cached.results.hits) == (misses, 1)
    assert rows == fresh(graph, rows=0).run("compare_modalities").rows
    assert fresh(graph, rows=0).warm() == []


def test_a_cache_of_no_rows_keeps_nothing(graph: KnowledgeGraph) -> None:
    uncached = fresh(graph, rows=0)
    first = uncached.run("cheapest_modality")
    assert uncached.run("cheapest_modality").rows == first.rows
    assert len(uncached.results) == 0
    assert uncached.results.hits == 0


def test_the_least_recently_used_answer_goes_first(graph: KnowledgeGraph) -> None:
    rows = fresh(graph, rows=0).run("conditions_of_modality", DRY_NEEDLING).rows
    one_row = {
        name: QueryResult(vars=("condition",), rows=(row,))
        for name, row in zip("abcde", rows[:5], strict=True)
    }
    cache = ResultCache(max_rows=9)  # an answer of one row counts two: four fit, a fifth does not
    for name in "abcd":
        cache.put(name, one_row[name], at_once=True)
    assert cache.get("a") is one_row["a"]  # now the most recently used
    cache.put("e", one_row["e"])  # run for the first time: not kept, nothing goes
    assert cache.get("b") is one_row["b"]
    cache.put("e", one_row["e"])
    assert cache.get("c") is None  # the least recently used went
    assert [cache.get(name) for name in "abde"] == [one_row[name] for name in "abde"]
    assert (len(cache), cache.rows) == (4, 8)


def test_one_answer_too_big_for_a_quarter_of_the_budget_is_not_kept(graph: KnowledgeGraph) -> None:
    dry = fresh(graph, rows=0).run("conditions_of_modality", DRY_NEEDLING)
    cache = ResultCache(max_rows=4 * len(dry.rows))
    cache.put("small", QueryResult(vars=("x",), rows=()), at_once=True)
    cache.put("dry", dry, at_once=True)
    assert cache.get("dry") is None
    assert cache.get("small") is not None


def test_threads_running_the_same_queries_all_get_the_store_answers(graph: KnowledgeGraph) -> None:
    names = [("conditions_of_modality", DRY_NEEDLING), ("conditions_of_modality", ACUPUNCTURE)]
    names += [("cheapest_modality", {}), ("treatments_for_condition", {"condition": "sciatica"})]
    expected = {name + str(params): fresh(graph, 0).run(name, params).rows for name, params in names}
    cached = fresh(graph)

    def work(i: int) -> bool:
        name, params = names[i % len(names)]
        return cached.run(name, params).rows == expected[name + str(params)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(400)))
    assert len(cached.results) == len(names)
    assert cached.results.rows == sum(len(rows) + 1 for rows in expected.values())
    assert cached.results.hits + cached.results.misses == 400


def test_another_format_of_the_same_query_reuses_the_answer(settings: Settings) -> None:
    """The response cache keys by format; the answer underneath is kept across formats."""

    def counters(client: TestClient) -> tuple[int, int]:
        text = client.get("/metrics").text
        values = dict(line.split(" ", 1) for line in text.splitlines() if not line.startswith("#"))
        hits, misses = (int(float(values[f"needling_result_cache_{k}_total"])) for k in ("hits", "misses"))
        return hits, misses

    url = "/api/queries/conditions_of_modality?modality=acupuncture"
    with TestClient(create_app(settings)) as client:  # an app of its own: no other test warmed its caches
        hits, misses = counters(client)
        as_json = client.get(url)  # the answer computed, not kept
        as_csv = client.get(url, headers={"Accept": "text/csv"})  # computed again, kept
        as_tsv = client.get(url, headers={"Accept": "text/tab-separated-values"})  # read from memory
        assert as_json.status_code == as_csv.status_code == as_tsv.status_code == 200
        assert "Sciatica" in as_csv.text and "Sciatica" in as_tsv.text
        assert counters(client) == (hits + 1, misses + 2)
