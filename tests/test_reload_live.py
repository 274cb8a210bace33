"""Reload with a real server watching its files: valid edits are served, broken ones change nothing, swaps are whole.

Each test starts `uvicorn api.app:create_app` (the `running_server` helper of test_sparql.py) with
`NEEDLING_WATCH=true` on a private copy of the ontology and the queries folder, edits the files the way
an editor would, and watches what the service says over HTTP. The reloader polls every second, so
"served" means within a few seconds.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from helpers import running_server

from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES, DEFAULT_SHAPES

pytestmark = pytest.mark.server

SERVED_WITHIN_S = 5.0
UNDER_TRAFFIC_S = 15.0
SCIATICA_QUESTION = "what treats sciatica, and at what cost"
SYNONYM = '\nnkg:sciatica skos:altLabel "leg nerve pain"@en .\n'
COSTS = {"Dry needling": (50, 150), "Acupuncture": (70, 150)}
ROW_COSTS = {
    "https://needling-kg.example.org/kg/dry-needling": (50, 150),
    "https://needling-kg.example.org/kg/acupuncture": (70, 150),
}


@pytest.fixture(params=[1, 2], ids=["1-process", "2-processes"])
def live(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[httpx.Client, Path]]:
    """A watching server on a private copy of the files, in one process or two (`--workers 2`: a reload is
    a new generation of processes); yields a client on it and the copy's folder."""
    shutil.copy(DEFAULT_ONTOLOGY, tmp_path / "needling.ttl")
    shutil.copytree(DEFAULT_QUERIES, tmp_path / "queries")
    env = {
        "NEEDLING_WATCH": "true",
        "NEEDLING_ACCESS_LOG": "false",
        "NEEDLING_ONTOLOGY": str(tmp_path / "needling.ttl"),
        "NEEDLING_QUERIES": str(tmp_path / "queries"),
        "NEEDLING_SHAPES": str(DEFAULT_SHAPES),
        "NEEDLING_PROCESSES": str(request.param),
    }
    with running_server(**env) as base, httpx.Client(base_url=base, timeout=10) as http:
        yield http, tmp_path


# --------------------------------------------------------------------------- helpers


def health(http: httpx.Client) -> dict:
    response = http.get("/healthz")
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(what: str, condition: Callable[[], bool], within_s: float = SERVED_WITHIN_S) -> float:
    """Poll until `condition()` holds; the seconds it took. Fails the test after `within_s`."""
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    pytest.fail(f"{what}: not within {within_s:g} s")


def wait_for_version_change(http: httpx.Client, old: str, within_s: float = SERVED_WITHIN_S) -> dict:
    wait_for(f"a new version after {old}", lambda: health(http)["version"] != old, within_s)
    return health(http)


def ask(http: httpx.Client, question: str, **headers: str) -> dict:
    response = http.get("/api/ask", params={"q": question}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def costs(answer: dict) -> dict[str, tuple[object, object]]:
    """Each answered modality's cost range; a missing cost shows as None, so comparisons catch it."""
    found: dict[str, tuple[object, object]] = {}
    for item in answer["answers"]:
        cost = item.get("cost") or {}
        found[item["label"]] = (cost.get("min"), cost.get("max"))
    return found


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def write(path: Path, text: str) -> None:
    """Replace a file in one rename, as careful editors do, so the reloader never reads half of it."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


# --------------------------------------------------------------------------- a valid edit


def test_valid_edit_is_served_within_seconds(live: tuple[httpx.Client, Path]) -> None:
    http, folder = live
    before = health(http)
    etag = http.get("/api/queries/cost_of_modality").headers["etag"]
    assert not ask(http, "what treats leg nerve pain")["answered"]
    edited = time.monotonic()
    append(folder / "needling.ttl", SYNONYM)
    after = wait_for_version_change(http, before["version"])
    took = time.monotonic() - edited
    assert after["triples"] == before["triples"] + 1
    assert "last_reload_error" not in after
    new_etag = http.get("/api/queries/cost_of_modality").headers["etag"]
    assert new_etag != etag
    answer = ask(http, "what treats leg nerve pain")
    assert answer["answered"], answer
    assert costs(answer) == COSTS, f"served {took:.1f} s after the edit: {answer}"


# --------------------------------------------------------------------------- broken edits

SHAPE_VIOLATION = "\nnkg:acupuncture-price <http://schema.org/minPrice> 999 .\n"


def _bad_turtle(folder: Path) -> None:
    append(folder / "needling.ttl", '\nnkg:broken skos:prefLabel "unterminated .\n')


def _shape_violation(folder: Path) -> None:
    append(folder / "needling.ttl", SHAPE_VIOLATION)


def _broken_query(folder: Path) -> None:
    query = folder / "queries" / "cost_of_modality.rq"
    write(query, query.read_text(encoding="utf-8").replace("WHERE {", "WHERE {{ SELECT", 1))


def _renamed_result_variable(folder: Path) -> None:
    """?minPrice renamed in a query file, header and all: the service reads ?minPrice from its rows."""
    for name in ("cost_of_modality.rq", "treatments_for_condition.rq"):
        query = folder / "queries" / name
        write(query, query.read_text(encoding="utf-8").replace("minPrice", "lowestPrice"))


BROKEN = {
    "bad-turtle": (_bad_turtle, ("syntax", "needling.ttl")),
    "shape-violation": (_shape_violation, ("price",)),
    "broken-rq": (_broken_query, ("cost_of_modality",)),
    "renamed-result-variable": (_renamed_result_variable, ("?minprice", ".rq")),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_edit_keeps_the_last_good_graph_until_fixed(
    live: tuple[httpx.Client, Path], case: str
) -> None:
    http, folder = live
    originals = {path: path.read_text(encoding="utf-8") for path in _watched(folder)}
    before = health(http)
    answer_before = ask(http, SCIATICA_QUESTION)
    cost_before = http.get("/api/queries/cost_of_modality", params={"modality": "acupuncture"}).json()["rows"]
    assert costs(answer_before) == COSTS

    breaks, reasons = BROKEN[case]
    breaks(folder)
    wait_for("the failed reload in /healthz", lambda: "last_reload_error" in health(http))
    failed = health(http)
    error = failed["last_reload_error"]
    assert failed["version"] == before["version"] and failed["triples"] == before["triples"]
    assert any(reason in error.lower() for reason in reasons), error
    assert "Traceback" not in error
    # The last good graph and catalogue still answer, the same as before (a fresh Accept skips the cache).
    assert ask(http, SCIATICA_QUESTION, accept="application/json; fresh=1") == answer_before
    named = http.get(
        "/api/queries/cost_of_modality",
        params={"modality": "acupuncture"},
        headers={"Accept": "application/json; fresh=1"},
    )
    assert named.status_code == 200 and named.json()["rows"] == cost_before
    time.sleep(1.5)  # a poll or two later, still the same
    assert health(http)["version"] == before["version"]

    # Fixed, with a valid edit on top: served again, and the error is gone.
    for path, text in originals.items():
        write(path, text)
    append(folder / "needling.ttl", SYNONYM)
    fixed = wait_for_version_change(http, before["version"])
    assert "last_reload_error" not in fixed, fixed
    assert fixed["triples"] == before["triples"] + 1
    assert costs(ask(http, "what treats leg nerve pain")) == COSTS


def test_deleting_a_query_a_route_needs_keeps_the_last_good_catalogue(
    live: tuple[httpx.Client, Path],
) -> None:
    http, folder = live
    before = health(http)
    cost = ask(http, "how much is dry needling")
    assert cost["interpretation"]["intent"] == "cost_of_modality"
    (folder / "queries" / "cost_of_modality.rq").unlink()

    def settled() -> bool:
        now = health(http)
        return "last_reload_error" in now or now["version"] != before["version"]

    wait_for("the reload to happen or fail", settled)
    fresh = {"Accept": "application/json; fresh=1"}
    assert http.get("/api/queries/cost_of_modality", headers=fresh).status_code == 200
    assert ask(http, "how much is dry needling", accept="application/json; fresh=1") == cost
    assert "cost_of_modality" in health(http).get("last_reload_error", "")


def _watched(folder: Path) -> list[Path]:
    return [folder / "needling.ttl", *sorted((folder / "queries").glob("*.rq"))]


# --------------------------------------------------------------------------- atomic swaps


def test_swaps_are_atomic_under_traffic(live: tuple[httpx.Client, Path]) -> None:
    http, folder = live
    ontology = folder / "needling.ttl"
    original = ontology.read_text(encoding="utf-8")
    base = str(http.base_url)
    stop = threading.Event()
    seen: dict[str, list[str]] = {"ask": [], "named": []}
    problems: list[str] = []

    def hammer(kind: str, lane: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as own:
            n = lane * 100_000
            while not stop.is_set() and n < lane * 100_000 + 2000:
                n += 1
                # Every request is new to the response cache (which keys by URL, Accept and version).
                accept = {"Accept": f"application/json; n={n}"}
                try:
                    if kind == "ask":
                        question = SCIATICA_QUESTION + "?" * (n % 3) + " " * (n // 3 % 20)
                        response = own.get("/api/ask", params={"q": question}, headers=accept)
                        problem = _ask_problem(response)
                    else:
                        response = own.get(
                            "/api/queries/treatments_for_condition",
                            params={"condition": "sciatica"},
                            headers=accept,
                        )
                        problem = _rows_problem(response)
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                seen[kind].append(problem or "ok")
                if problem:
                    problems.append(f"{kind} #{n}: {problem}")

    threads = [
        threading.Thread(target=hammer, args=(kind, lane), daemon=True) for kind in seen for lane in (1, 2)
    ]
    for thread in threads:
        thread.start()
    versions = [health(http)["version"]]
    try:
        time.sleep(0.3)
        for step in range(5):
            write(ontology, original + SYNONYM if step % 2 == 0 else original)
            # this test is about atomic swaps, not how soon: four clients saturating both cores slow the
            # reload itself (3-4 s with two processes on a quiet 2-core machine), so it gets more time
            versions.append(wait_for_version_change(http, versions[-1], UNDER_TRAFFIC_S)["version"])
            time.sleep(0.3)  # some traffic on each version
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    total = len(seen["ask"]) + len(seen["named"])
    assert not problems, f"{len(problems)} of {total} requests saw something wrong: {problems[:5]}"
    assert min(len(seen["ask"]), len(seen["named"])) >= 150, {k: len(v) for k, v in seen.items()}
    assert len(versions) == 6, versions  # five reloads, each one served before the next edit
    assert "last_reload_error" not in health(http)


def _ask_problem(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    answer = response.json()
    if not answer.get("answered") or costs(answer) != COSTS:
        return f"wrong answer: {answer.get('text')!r}"
    return None


def _rows_problem(response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    rows = response.json()["rows"]
    found = {row["therapy"]: (row.get("minPrice"), row.get("maxPrice")) for row in rows}
    if found != ROW_COSTS:
        return f"wrong rows: {found}"
    return None


# --------------------------------------------------------------------------- validators

VALIDATED = (
    ("/resource/sciatica", "text/turtle"),
    ("/resource/sciatica", "text/html"),
    ("/api/queries/cost_of_modality", "application/json"),
    ("/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%22Sciatica%22%40en%20%7D", "text/csv"),
)


def test_old_etag_stops_matching_after_a_reload(live: tuple[httpx.Client, Path]) -> None:
    http, folder = live
    old: dict[tuple[str, str], str] = {}
    for path, accept in VALIDATED:
        first = http.get(path, headers={"Accept": accept})
        assert first.status_code == 200, (path, first.text)
        old[path, accept] = first.headers["etag"]
        again = http.get(path, headers={"Accept": accept, "If-None-Match": old[path, accept]})
        assert again.status_code == 304, (path, accept)
    before = health(http)
    append(folder / "needling.ttl", SYNONYM)
    wait_for_version_change(http, before["version"])
    for path, accept in VALIDATED:
        stale = http.get(path, headers={"Accept": accept, "If-None-Match": old[path, accept]})
        assert stale.status_code == 200, f"{path} ({accept}): the old ETag still gives {stale.status_code}"
        assert stale.headers["etag"] != old[path, accept]
        current = http.get(path, headers={"Accept": accept, "If-None-Match": stale.headers["etag"]})
        assert current.status_code == 304, (path, accept)
    assert "leg nerve pain" in http.get("/resource/sciatica", headers={"Accept": "text/turtle"}).text
