"""Checks on the named-query catalogue that go beyond parsing: each query runs on the graph with its examples."""

from __future__ import annotations

from pathlib import Path

from kg.catalogue import CatalogueError, load_catalogue
from kg.engine import KnowledgeGraph
from kg.errors import describe
from kg.store import EmbeddedStore, StoreError
from kg.validation.report import Problem


def check_catalogue(ontology: Path, queries: Path) -> tuple[tuple[Problem, ...], int]:
    """Problems found, and how many queries were checked; a query must run and document what it answers."""
    try:
        catalogue = load_catalogue(queries)
    except CatalogueError as exc:
        return (Problem(str(queries), str(exc)),), 0
    try:
        graph = KnowledgeGraph(EmbeddedStore.load(ontology), catalogue)
    except StoreError as exc:
        return (Problem(str(ontology), str(exc)),), 0
    scanning = KnowledgeGraph(graph.store, catalogue.without_search())
    problems: list[Problem] = []
    for query in catalogue:
        where = f"queries/{query.name}.rq"
        if not query.examples:
            problems.append(Problem(where, "The header gives no '# example:' question."))
        missing = [p.name for p in query.params if p.required and not p.example]
        if missing:
            problems.append(
                Problem(where, f"Required parameters without an example value: {', '.join(missing)}.")
            )
            continue
        params = {p.name: p.example for p in query.params if p.example}
        try:
            if query.form == "SELECT":
                rows = graph.run(query.name, params).rows
                empty = not rows
                if query.search and rows != scanning.run(query.name, params).rows:
                    problems.append(
                        Problem(where, _SEARCH_DIFFERS.format(var=query.search[0], params=params))
                    )
            else:
                empty = not graph.construct(query.name, params, "application/n-triples").body.strip()
        except Exception as exc:  # any failure here is a broken query file, reported in words
            problems.append(Problem(where, f"Fails with its example parameters: {describe(exc)}"))
            continue
        if empty:
            problems.append(Problem(where, f"Returns no rows with its example parameters {params}."))
    return tuple(problems), len(catalogue.queries)


_SEARCH_DIFFERS = (
    "Answers differently with the label index than without it for {params}: '# search:' promises that "
    "?{var} only takes label values and that the query filters it with CONTAINS itself."
)
