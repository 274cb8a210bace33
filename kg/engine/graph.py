"""The knowledge graph as the rest of the code sees it: a store plus the named-query catalogue."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from kg.catalogue import Catalogue, NamedQuery, load_catalogue
from kg.catalogue.paging import Page
from kg.catalogue.params import bind_params, with_bindings, with_candidates
from kg.engine.labels import LabelIndex
from kg.engine.result_cache import ResultCache
from kg.errors import NeedlingError
from kg.settings import Settings, default
from kg.store import EmbeddedStore, GraphStore, Progress, RemoteStore, StoreDirUnusable, open_persisted
from kg.store.credentials import read_credentials
from kg.terms import QueryResult, Row

_NTRIPLES = "application/n-triples"


class UnknownQuery(NeedlingError, LookupError):
    """No named query has this name."""

    code = "unknown_query"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no named query '{name}'; known queries: {', '.join(known)}")
        self.name = name


@dataclass
class KnowledgeGraph:
    """Runs named queries against a store: look up, bind the parameters as terms, run, cap the rows."""

    store: GraphStore
    catalogue: Catalogue
    row_cap: int = default("row_cap")
    result_cache_rows: int = default("result_cache_rows")
    """Rows of named-query answers kept in memory for a store only a reload changes; 0 keeps none."""
    derived: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    """Things computed from this graph and catalogue (the question answerer); they die with it."""
    results: ResultCache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.results = ResultCache(self.result_cache_rows if self.store.static else 0)

    @property
    def version(self) -> str:
        return f"{self.store.version}-{self.catalogue.version}"

    def query(self, name: str) -> NamedQuery:
        query = self.catalogue.get(name)
        if query is None:
            raise UnknownQuery(name, sorted(self.catalogue.queries))
        return query

    def prepare(self, name: str, params: Mapping[str, object] | None = None) -> Prepared:
        """The query text that will run: parameters bound as terms, a text search narrowed by the label
        index, the page written into its LIMIT. Raises UnknownQuery or ParamError."""
        query = self.query(name)
        bindings = bind_params(query, params or {})
        shown = {key: term.to_python() for key, term in bindings.items()}
        page = None
        if query.page:
            limit, offset = (int(bindings.pop(key).value) for key in query.page)
            page = Page(limit, offset)
        sparql = with_bindings(query.body, bindings)
        if query.search and query.search[1] in bindings and self.store.static:
            var, param = query.search
            candidates = self.labels().containing(bindings[param].value)
            if candidates is not None:
                sparql = with_candidates(sparql, var, candidates)
        return Prepared(query, sparql, page, shown)

    def run(self, name: str, params: Mapping[str, object] | None = None) -> QueryResult:
        """The capped answer of a named SELECT; a repeat of the same bound query on this graph is served
        from memory (`elapsed_ms` then says how long the lookup took). Rows are shared: read them only."""
        start = time.perf_counter()
        prepared = self._select(name, params)
        text = prepared.text
        known = self.results.get(text)
        if known is not None:
            return replace(known, params=prepared.params, elapsed_ms=(time.perf_counter() - start) * 1000)
        result = select_capped(self.store, text, self.row_cap, prepared.params)
        if prepared.page and any(True for _ in self.store.select(prepared.page.probe(prepared.sparql)).rows):
            result = replace(result, next_offset=prepared.page.next_offset)
        self.results.put(text, result, at_once=not prepared.query.params)
        return result

    def warm(self) -> list[str]:
        """Compute now the answers of the SELECT queries that take no parameters (the comparison, the
        sources): each has one answer per graph, so the first caller after a (re)load need not wait for it.
        Returns the names of those computed: none when this graph keeps no answers."""
        if not self.results.max_rows:
            return []
        names = [q.name for q in self.catalogue if q.form == "SELECT" and not q.params]
        for name in names:
            self.run(name)
        return names

    def stream(self, name: str, params: Mapping[str, object] | None = None) -> Iterator[Row]:
        """Every row of a named SELECT, one at a time and uncapped. The row cap guards answers sent to
        clients; a reader inside the service that needs the whole answer (the question answerer's
        lexicon: 35,000 rows at 10^6 triples) takes it this way without holding all rows at once."""
        prepared = self._select(name, params)
        return self.store.select(prepared.text).rows

    def _select(self, name: str, params: Mapping[str, object] | None) -> Prepared:
        prepared = self.prepare(name, params)
        if prepared.query.form != "SELECT":
            raise ValueError(f"'{name}' is a {prepared.query.form} query; use construct() for it")
        return prepared

    def labels(self) -> LabelIndex:
        """The label index of this graph, built on first use (a word search then skips the full scan)."""
        index = self.derived.get("labels")
        if not isinstance(index, LabelIndex):
            index = self.derived["labels"] = LabelIndex.build(self.store.select)
        return index

    def construct(self, name: str, params: Mapping[str, object] | None, media_type: str) -> GraphResult:
        """Run a named CONSTRUCT query with its parameters bound, serialized in an RDF media type."""
        prepared = self.prepare(name, params)
        if prepared.query.form not in ("CONSTRUCT", "DESCRIBE"):
            raise ValueError(f"'{name}' is a {prepared.query.form} query, not a CONSTRUCT")
        body = self.store.graph(prepared.text, media_type)
        next_offset = None
        if prepared.page and self.store.graph(prepared.page.probe(prepared.sparql), _NTRIPLES).strip():
            next_offset = prepared.page.next_offset
        return GraphResult(body, media_type, next_offset)


@dataclass(frozen=True)
class Prepared:
    query: NamedQuery
    sparql: str
    """With parameters bound and the search narrowed, before the page is applied."""
    page: Page | None
    params: dict[str, object]
    """The parameters as given or defaulted, page ones included, as plain values."""

    @property
    def text(self) -> str:
        """The query exactly as it runs."""
        return self.page.apply(self.sparql) if self.page else self.sparql


@dataclass(frozen=True)
class GraphResult:
    """The triples of a CONSTRUCT in one RDF serialization, and where the next page starts (if paged)."""

    body: bytes
    media_type: str
    next_offset: int | None = None


def select_capped(
    store: GraphStore, sparql: str, row_cap: int, params: dict[str, object] | None = None
) -> QueryResult:
    """Run a SELECT and keep at most `row_cap` rows, saying whether more existed (`params`: those bound)."""
    start = time.perf_counter()
    selected = store.select(sparql)
    rows = tuple(itertools.islice(selected.rows, row_cap + 1))
    return QueryResult(
        vars=selected.vars,
        rows=rows[:row_cap],
        truncated=len(rows) > row_cap,
        elapsed_ms=(time.perf_counter() - start) * 1000,
        sparql=sparql,
        params={} if params is None else params,
    )


def open_graph(settings: Settings, progress: Progress | None = None) -> KnowledgeGraph:
    """Load the catalogue first (cheap, fails fast), then the embedded store (opened from its persisted
    folder, built first when the file has changed; or parsed into memory) or connect to the remote one."""
    catalogue = load_catalogue(settings.queries)
    store: GraphStore
    if settings.store:
        store = RemoteStore(settings.store, auth=_store_auth(settings))
    elif settings.persists():
        try:
            store = open_persisted(settings.ontology, settings.persisted_store_dir(), progress)
        except StoreDirUnusable:  # a read-only or full disk: serve from memory, as without a store dir
            store = EmbeddedStore.load(settings.ontology, progress)
            store.description += " (in memory: the store dir cannot be written)"
    else:
        store = EmbeddedStore.load(settings.ontology, progress)
    return KnowledgeGraph(store, catalogue, settings.row_cap, settings.result_cache_rows)


def _store_auth(settings: Settings) -> tuple[str, str] | None:
    password = settings.store_password.get_secret_value() if settings.store_password else None
    return read_credentials(settings.store_user, password, settings.store_password_file)
