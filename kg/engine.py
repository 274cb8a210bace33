"""The knowledge graph as the rest of the code sees it: a store plus the named-query catalogue."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.catalogue import Catalogue, NamedQuery, load_catalogue, without_header
from kg.labels import LabelIndex
from kg.params import bind_params, with_bindings, with_candidates
from kg.store import EmbeddedStore, GraphStore, Progress, RemoteStore
from kg.terms import QueryResult

DEFAULT_ROW_CAP = 10_000


class UnknownQuery(LookupError):
    """No named query has this name."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no named query '{name}'; known queries: {', '.join(known)}")
        self.name = name


@dataclass
class KnowledgeGraph:
    """Runs named queries against a store: look up, bind the parameters as terms, run, cap the rows."""

    store: GraphStore
    catalogue: Catalogue
    row_cap: int = DEFAULT_ROW_CAP
    derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    """Things computed from this graph and catalogue (the question answerer); they die with it."""

    @property
    def version(self) -> str:
        return f"{self.store.version}-{self.catalogue.version}"

    def query(self, name: str) -> NamedQuery:
        query = self.catalogue.get(name)
        if query is None:
            raise UnknownQuery(name, sorted(self.catalogue.queries))
        return query

    def run(self, name: str, params: Mapping[str, object] | None = None) -> QueryResult:
        query = self.query(name)
        if query.form != "SELECT":
            raise ValueError(f"'{name}' is a {query.form} query; use construct() for it")
        bindings = bind_params(query, params or {})
        sparql = with_bindings(query.sparql, bindings)
        if query.search and query.search[1] in bindings and self.store.static:
            var, param = query.search
            candidates = self.labels().containing(bindings[param].value)
            if candidates is not None:
                sparql = with_candidates(sparql, var, candidates)
        result = select_capped(self.store, sparql, self.row_cap)
        return replace(
            result,
            sparql=without_header(result.sparql),
            params={key: term.to_python() for key, term in bindings.items()},
        )

    def labels(self) -> LabelIndex:
        """The label index of this graph, built on first use (a word search then skips the full scan)."""
        index = self.derived.get("labels")
        if not isinstance(index, LabelIndex):
            index = self.derived["labels"] = LabelIndex.build(self.store.select)
        return index

    def construct(self, name: str, params: Mapping[str, object] | None, media_type: str) -> bytes:
        """Run a named CONSTRUCT query with its parameters bound, serialized in an RDF media type."""
        query = self.query(name)
        if query.form not in ("CONSTRUCT", "DESCRIBE"):
            raise ValueError(f"'{name}' is a {query.form} query, not a CONSTRUCT")
        return self.store.graph(with_bindings(query.sparql, bind_params(query, params or {})), media_type)


def select_capped(store: GraphStore, sparql: str, row_cap: int) -> QueryResult:
    """Run a SELECT and keep at most `row_cap` rows, saying whether more existed."""
    start = time.perf_counter()
    selected = store.select(sparql)
    rows = tuple(itertools.islice(selected.rows, row_cap + 1))
    return QueryResult(
        vars=selected.vars,
        rows=rows[:row_cap],
        truncated=len(rows) > row_cap,
        elapsed_ms=(time.perf_counter() - start) * 1000,
        sparql=sparql,
    )


def open_graph(
    ontology: Path,
    queries: Path,
    *,
    store_url: str | None = None,
    row_cap: int = DEFAULT_ROW_CAP,
    progress: Progress | None = None,
) -> KnowledgeGraph:
    """Load the catalogue first (cheap, fails fast), then the embedded store or connect to the remote one."""
    catalogue = load_catalogue(queries)
    store: GraphStore = RemoteStore(store_url) if store_url else EmbeddedStore.load(ontology, progress)
    return KnowledgeGraph(store, catalogue, row_cap)
