"""No sentence of the article is copied into the project: the graph's literals, the page templates, the
named queries and the docs share no run of 8 or more words with the article.

The article is read from ../shared/domain/source-article.txt (tests/article_text.py); the test skips when
it is absent, and the article itself never goes into the project. Words are compared lower-cased with
punctuation dropped, so a copied sentence with its commas changed is still found.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from article_text import article_text

ROOT = Path(__file__).resolve().parents[1]
RUN = 8
DOCS = ["README.md", "CHANGELOG.md", "bench/README.md"]


def words(text: str) -> list[str]:
    text = text.lower().replace("’", "").replace("'", "")
    return re.sub(r"[^a-z0-9$]+", " ", text).split()


def runs(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}


@pytest.fixture(scope="module")
def article_runs() -> set[tuple[str, ...]]:
    text = article_text()
    if text is None:
        pytest.skip("the article is not at hand (../shared/domain/source-article.txt)")
    return runs(text)


def copied(text: str, article_runs: set[tuple[str, ...]]) -> list[str]:
    return sorted(" ".join(run) for run in runs(text) & article_runs)


def graph_literals() -> list[str]:
    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / "needling.ttl"), format=ox.RdfFormat.TURTLE)
    return sorted(
        {row["l"].value for row in store.query("SELECT DISTINCT ?l WHERE { ?s ?p ?l FILTER isLiteral(?l) }")}
    )


def project_texts() -> list[Path]:
    return [
        *sorted((ROOT / "api" / "templates").glob("*.html")),
        *sorted((ROOT / "queries").glob("*.rq")),
        *(ROOT / name for name in DOCS),
        ROOT / "ontology" / "needling.ttl",
        ROOT / "ontology" / "shapes.ttl",
        ROOT / "tests" / "data" / "claims.tsv",
    ]


def test_no_literal_of_the_graph_copies_the_article(article_runs: set[tuple[str, ...]]) -> None:
    found = {literal: hits for literal in graph_literals() if (hits := copied(literal, article_runs))}
    assert not found, "literals sharing 8 or more words with the article:\n" + "\n".join(
        f"{literal!r}: {hits[0]!r}" for literal, hits in found.items()
    )


@pytest.mark.parametrize("path", project_texts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_query_or_doc_copies_the_article(path: Path, article_runs: set[tuple[str, ...]]) -> None:
    hits = copied(path.read_text(encoding="utf-8"), article_runs)
    assert not hits, f"{path.relative_to(ROOT)} shares these runs of {RUN} words with the article: {hits[:3]}"


def test_the_check_finds_a_copied_sentence(article_runs: set[tuple[str, ...]]) -> None:
    """The check itself: a sentence of the article, reworded only in case and punctuation, is found."""
    sentence = next(s for s in re.split(r"(?<=[.?!])\s+", article_text() or "") if len(words(s)) > 12)
    assert copied(sentence.upper().replace(",", " ;"), article_runs)
