"""The bench works: the graph generator is deterministic and keeps the real answers; the peers run prints a table."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from helpers import graph_of

from bench.generate import SYNTHETIC, count_triples, generate
from bench.load import VARY, run_load
from bench.qa_latency import QUESTION_FILES, questions_of
from bench.qalib import workload
from bench.qalib.worker import PARTS
from kg import DEFAULT_ONTOLOGY, DEFAULT_QUERIES
from kg.engine import KnowledgeGraph
from kg.qa import answer_question
from kg.validation.catalogue_checks import check_catalogue

ROOT = Path(__file__).resolve().parent.parent
SIZE = 10_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    path = tmp_path_factory.mktemp("bench") / "graph.ttl"
    return path, generate(path, SIZE, seed=7)


def test_same_seed_gives_the_same_bytes(generated: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    path, _ = generated
    again = tmp_path / "again.ttl"
    generate(again, SIZE, seed=7)
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other.ttl"
    generate(other, SIZE, seed=8)
    assert other.read_bytes() != path.read_bytes()


def test_the_graph_parses_with_about_the_triples_asked_for(generated: tuple[Path, dict[str, object]]) -> None:
    path, info = generated
    assert count_triples(path) == info["triples"]
    assert SIZE <= int(info["triples"]) < SIZE * 1.01  # type: ignore[call-overload]
    assert int(info["real_triples"]) == count_triples(DEFAULT_ONTOLOGY)  # type: ignore[call-overload]


def test_synthetic_data_is_labelled_as_such(generated: tuple[Path, dict[str, object]]) -> None:
    store = ox.Store()
    store.bulk_load(path=str(generated[0]), format=ox.RdfFormat.TURTLE)
    labels = store.query(
        "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label "
        f'FILTER (STRSTARTS(STR(?s), "{SYNTHETIC}")) }}'
    )
    found = [(s.value, label.value) for s, label in labels]  # type: ignore[union-attr]
    assert len(found) > 500
    assert all(label.startswith("Synthetic") for _, label in found)


def test_every_named_query_still_runs_and_answers(generated: tuple[Path, dict[str, object]]) -> None:
    problems, checked = check_catalogue(generated[0], DEFAULT_QUERIES)
    assert checked > 0
    assert not problems, [str(p) for p in problems]


def test_the_real_answers_are_kept(generated: tuple[Path, dict[str, object]]) -> None:
    """Every row a named query gives on the real graph, it gives on the grown one; prices stay the article's."""
    real, grown = graph_of(), graph_of(generated[0])
    for named in real.catalogue:
        if named.form != "SELECT":
            continue
        params = {p.name: p.example for p in named.params if p.example}
        # a count of uses grows with the graph: the rows are kept, with other counts
        counted = set(re.findall(r"COUNT\([^)]*\)\s+AS\s+\?(\w+)", named.sparql, re.IGNORECASE))
        before, after = _rows(real, named.name, params, counted), _rows(grown, named.name, params, counted)
        assert before <= after, f"{named.name} lost rows on the generated graph"
    for name, params in (("treatments_for_condition", {"condition": "sciatica"}), ("cost_of_modality", {})):
        assert _rows(real, name, params) == _rows(grown, name, params), name


def _rows(
    graph: KnowledgeGraph,
    name: str,
    params: dict[str, object],
    counted: frozenset[str] | set[str] = frozenset(),
) -> set[frozenset[tuple[str, object]]]:
    """Every row, over all the pages of a paged query, without the columns in `counted`."""
    page = graph.query(name).page
    rows: set[frozenset[tuple[str, object]]] = set()
    offset: int | None = 0
    while offset is not None:
        result = graph.run(name, {**params, page[1]: offset} if page else params)
        rows |= {frozenset((k, v) for k, v in row.items() if k not in counted) for row in result.plain_rows()}
        offset = result.next_offset
    return rows


def test_peers_quick_run_prints_a_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.peers", "--quick", "--duration", "1", "--connections", "1",
         "--cycles", "1", "--only", "self", "--no-install"],
        cwd=ROOT, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "req/s (best)" in done.stdout
    assert "named query / hello-world" in done.stdout
    result = json.loads((ROOT / done.stdout.strip().splitlines()[-1].split("results: ")[1]).read_text())
    named = [b for b in result["best"] if (b["server"], b["target"]) == ("self", "named")]
    assert named and named[0]["rps"] > 0 and named[0]["non_2xx"] == 0


def test_scale_run_sets_the_cache_miss_paths_beside_oxigraph_at_every_size() -> None:
    """bench.scale measures the two cache-miss targets of issue 18 on each graph, with Oxigraph server
    answering the same texts on the same graph, and judges the ratios on the largest."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--sizes", "1e4", "--runs", "2", "--duration", "1",
         "--cycles", "1", "--no-install"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((ROOT / done.stdout.strip().splitlines()[-1].split("results: ")[1]).read_text())
    assert [row["graph"] for row in result["results"]] == ["real", "1e4"]
    for row in result["results"]:
        for ours in ("uncached", "named-varying"):
            assert row["http"][ours]["best"]["rps"] > 0 and row["http"][ours]["best"]["non_2xx"] == 0
        for theirs in ("sparql-varying", "named-varying"):
            assert row["oxigraph"][theirs]["best"]["rps"] > 0, row["oxigraph"]
            assert row["oxigraph"][theirs]["answer"] == "2 rows"
    judged = {t["target"]: t for t in result["targets"]}
    for name, floor in (("/sparql varying", 0.8), ("named varying", 1.0)):
        target = judged[f"{name} / Oxigraph server, same texts at 1e4"]
        assert target["limit"] == floor and target["value"] > 0 and target["verdict"]


def test_qa_latency_times_every_set_and_gives_a_verdict_per_target() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.qa_latency", "--repeat", "2", "--warmup", "0", "--footprint-runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    for name, path in QUESTION_FILES.items():  # each question of both files, answered twice
        questions = len(questions_of(path))
        assert rows[name][1:3] == [str(questions), f"{questions * 2:,}"], rows[name]
    assert int(rows["overall"][1].replace(",", "")) >= int(rows["dev"][1]) + int(rows["heldout"][1])
    for name in ("dev", "heldout", "overall"):
        median, p90, p99, slowest = (float(x.replace(",", "")) for x in rows[name][3:7])
        assert 0 < median <= p90 <= p99 <= slowest
    for target in ("median, all", "p99, all", "RSS added", "tracemalloc peak", "startup"):
        [line] = [
            line for line in done.stdout.splitlines() if line.startswith(target) or f": {target}" in line
        ]
        assert line.endswith(" met") or "MISSED" in line, line


def test_questions_keep_their_real_answers_on_the_grown_graph(
    generated: tuple[Path, dict[str, object]],
) -> None:
    """Growth only adds: each example question of the catalogue is still answered, with at least the
    answers it has on the real graph (a capped vocabulary once lost some at 10^6 triples)."""
    real, grown = graph_of(), graph_of(generated[0])
    questions = sorted({example for query in real.catalogue for example in query.examples})
    assert len(questions) > 30
    for question in questions:
        before, after = answer_question(real, question), answer_question(grown, question)
        assert after["answered"] == before["answered"], question
        lost = {a["label"] for a in before["answers"]} - {a["label"] for a in after["answers"]}
        assert not lost, f"{question!r} lost {lost} on the grown graph"


class _Recorder(http.server.BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_no_load_run_repeats_the_urls_of_an_earlier_one() -> None:
    """The service caches responses by URL: a run that repeated an earlier run's "varying" URLs would
    measure that cache, not the queries."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql?query=LIMIT%20{VARY}"
    try:
        runs = []
        for connections in (1, 2):
            _Recorder.paths = []
            result = run_load(url, client="python", connections=connections, duration_s=0.5)
            assert result.ok > 10
            runs.append(set(_Recorder.paths))
            assert len(runs[-1]) == len(_Recorder.paths), "a URL came twice within one run"
    finally:
        server.shutdown()
        server.server_close()
    assert not runs[0] & runs[1], "the second run repeated URLs of the first"


QA_LIBRARIES = ("symspellpy", "spellchecker", "simplemma", "lemminflect", "wordllama", "bm25s", "wordfreq")
# Every library and mode, each at its cheaper distance only (symspellpy at distance 2 loads for 4 s, twice):
# the other distance is one argument away, and the run must stay under 20 s.
QA_SMOKE = {"symspell-d1", "symspell-d1-compound", "pyspell-d1", "lemmas", "meaning"}


def test_qa_library_gold_files_match_the_dev_questions_and_queries() -> None:
    """Every typo is a word of a misspelt dev question, every labelled question is a dev question naming
    real queries, every lemma row is complete (a stale gold file fails here, before any library loads)."""
    questions = {str(case["q"]): str(case["kind"]) for case in workload.words.dev_cases()}
    names = {name for name, _ in workload.words.query_documents()}
    assert len(workload.dev_typos(questions)) >= 40
    assert len(workload.intents(questions, names)) >= 80
    assert len(workload.lemma_pairs()) >= 120


def test_qa_libraries_tiny_run_measures_every_candidate_offline(tmp_path: Path) -> None:
    """`python -m bench.qa_libraries` on a tiny sample: each candidate loads from its installed package in
    a fresh process, with every network attempt refused, and the summary has a table per part."""
    for module in QA_LIBRARIES:
        pytest.importorskip(module, reason="the qa library candidates come with the bench extra")
    done = subprocess.run(
        [sys.executable, "-m", "bench.qa_libraries", "--sample", "8", "--repeat", "1", "--rounds", "1", "--jobs", "2",
         "--only", ",".join(QA_SMOKE), "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads((tmp_path / "qa_libraries.json").read_text(encoding="utf-8"))["runs"]
    assert {run["name"] for run in runs} == {
        n for p, names in PARTS.items() for n in names if {p, n} & QA_SMOKE
    }
    assert not [run for run in runs if "error" in run or run["network_attempts"]]
    assert all(run["rss_delta_mb"] > 0 and run["load_s"] > 0 for run in runs)
    summary = (tmp_path / "qa_libraries.md").read_text(encoding="utf-8")
    for heading in ("## 1. Spelling", "## 2. Lemmas", "## 3. Meaning"):
        assert heading in summary


def test_mcp_overhead_times_each_transport_against_http() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.mcp_overhead", "--calls", "5", "--warmup", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((ROOT / done.stdout.strip().splitlines()[-1].split("results: ")[1]).read_text())
    rows = {row["transport"]: row for row in result["rows"]}
    assert list(rows) == ["http", "http (cached)", "mcp http", "mcp stdio"]
    for name, row in rows.items():
        assert row["calls"] == 5 and 0 < row["median_ms"] <= row["p90_ms"], row
        if name != "http":
            assert row["ratio_median"] == row["median_ms"] / rows["http"]["median_ms"], row
    table = done.stdout.splitlines()
    assert table[0].split() == ["transport", "calls", "median", "ms", "p90", "ms", "x", "median", "x", "p90"]
