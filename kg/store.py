"""The graph stores queries run against: the embedded pyoxigraph store, or a remote SPARQL 1.1 endpoint."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, cast

import httpx
import pyoxigraph as ox

from kg.credentials import Auth, CredentialsError, merge, redact, split_url
from kg.terms import PREFIXES, Row, Term

Progress = Callable[[int, int, int], None]
"""Called while loading with (triples so far, or -1 while parsing; bytes read so far; total bytes)."""

_PROGRESS_EVERY_BYTES = 8 * 1024 * 1024
_REMOTE_TIMEOUT_S = 30.0
_MEMO_TERMS = 4_096


class StoreError(Exception):
    """The store could not be loaded or reached; the message says which and why."""


@dataclass(frozen=True)
class SelectRows:
    vars: tuple[str, ...]
    rows: Iterator[Row]


class GraphStore(Protocol):
    """What the catalogue, question answering and pages need from a store."""

    description: str
    triples: int
    version: str
    static: bool
    """True when nothing but a reload changes the data, so indexes built from it stay true (embedded)."""

    def select(self, sparql: str) -> SelectRows: ...

    def ask(self, sparql: str) -> bool: ...

    def graph(self, sparql: str, media_type: str = "text/turtle") -> bytes: ...

    def close(self) -> None: ...


class _ProgressReader:
    """A binary file that tells `progress` how far the parser has read, every few megabytes."""

    def __init__(self, handle: BinaryIO, total: int, progress: Progress | None) -> None:
        self.handle = handle
        self.total = total
        self.progress = progress
        self.done = 0
        self.next_report = _PROGRESS_EVERY_BYTES

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.done += len(chunk)
        if self.progress and self.done >= self.next_report:
            self.next_report += _PROGRESS_EVERY_BYTES
            self.progress(-1, self.done, self.total)
        return chunk


def term_from_oxigraph(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        return Term("literal", term.value, term.datatype.value, term.language)
    raise TypeError(f"unsupported term {term!r}")


def file_version(path: Path) -> str:
    """The graph version: a short hash of the file's bytes, stable across restarts."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


class EmbeddedStore:
    """An in-memory pyoxigraph store loaded from one Turtle file."""

    static = True

    def __init__(self, store: ox.Store, *, source: Path, version: str) -> None:
        self.store = store
        self.source = source
        self.version = version
        self.triples = len(store)
        self.description = (
            f"embedded pyoxigraph store loaded from {source.name}"  # no path: /healthz is public
        )

    @classmethod
    def load(cls, path: Path, progress: Progress | None = None) -> EmbeddedStore:
        """Parse the Turtle file straight into the store (in Rust), reporting bytes read as it goes."""
        try:
            total = path.stat().st_size
            version = file_version(path)
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from None
        store = ox.Store()
        try:
            with path.open("rb") as handle:
                reader = _ProgressReader(handle, total, progress)
                store.load(
                    cast(BinaryIO, reader), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()
                )
        except SyntaxError as exc:
            raise StoreError(f"{path}: {exc}") from None
        if progress:
            progress(len(store), total, total)
        return cls(store, source=path, version=version)

    def select(self, sparql: str) -> SelectRows:
        solutions = self.store.query(sparql)
        if not isinstance(solutions, ox.QuerySolutions):
            raise ValueError("the query is not a SELECT query")
        names = tuple(variable.value for variable in solutions.variables)
        return SelectRows(names, _oxigraph_rows(solutions, names))

    def ask(self, sparql: str) -> bool:
        return bool(self.store.query(sparql))

    def graph(self, sparql: str, media_type: str = "text/turtle") -> bytes:
        """Run a CONSTRUCT or DESCRIBE and serialize the triples in the given RDF media type."""
        triples = self.store.query(sparql)
        if not isinstance(triples, ox.QueryTriples):
            raise ValueError("the query is not a CONSTRUCT or DESCRIBE query")
        fmt = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):  # formats that can use prefixes
            return ox.serialize(list(triples), format=fmt, prefixes=PREFIXES) or b""
        return triples.serialize(format=fmt) or b""

    def close(self) -> None:
        """Nothing to release: the store lives as long as references to it."""


def _oxigraph_rows(solutions: ox.QuerySolutions, names: tuple[str, ...]) -> Iterator[Row]:
    # A value repeated down a column (a type, a modality's label) is converted once; the memo is bounded
    # so that a long result read row by row is not held whole by it.
    converted: dict[object, Term] = {}
    for solution in solutions:
        row: dict[str, Term] = {}
        for index, name in enumerate(names):
            value = solution[index]
            if value is not None:
                term = converted.get(value)
                if term is None:
                    term = term_from_oxigraph(value)
                    if len(converted) < _MEMO_TERMS:
                        converted[value] = term
                row[name] = term
        yield row


class RemoteStore:
    """A SPARQL 1.1 endpoint reached over HTTP (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever...)."""

    static = False  # others may write to it: no index of ours could be trusted to stay true

    def __init__(self, url: str, *, auth: Auth | None = None, timeout_s: float = _REMOTE_TIMEOUT_S) -> None:
        clean, in_url = split_url(url)
        if not url.startswith(("http://", "https://")):
            raise StoreError(f"--store must be an http(s) URL of a SPARQL endpoint, got {clean!r}")
        try:
            self._auth = merge(in_url, auth)
        except CredentialsError as exc:
            raise StoreError(str(exc)) from None
        self.url = clean  # credentials never in the URL: not in /healthz, an error or httpx's log lines
        self.description = f"remote SPARQL endpoint {clean}"
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False, auth=self._auth)
        self.triples = 0
        self.version = ""
        self.refresh()

    def refresh(self) -> None:
        """Count the triples again, and take a version from the count (others may have written)."""
        self.triples = self._count()
        self.version = hashlib.sha256(f"{self.url}|{self.triples}".encode()).hexdigest()[:16]

    def _post(self, sparql: str, accept: str) -> httpx.Response:
        try:
            response = self._client.post(
                self.url,
                content=sparql.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": accept},
            )
        except httpx.HTTPError as exc:
            raise StoreError(
                redact(f"cannot reach the SPARQL endpoint {self.url}: {exc}", self._auth)
            ) from None
        if response.status_code != 200:
            first_line = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
            message = f"the SPARQL endpoint answered {response.status_code}: {first_line}"
            raise StoreError(redact(message, self._auth))
        return response

    def raw(self, sparql: str, accept: str) -> tuple[bytes, str]:
        """Run any read query and hand back the endpoint's own bytes and media type."""
        response = self._post(sparql, accept)
        return response.content, response.headers.get("content-type", "application/octet-stream")

    def _count(self) -> int:
        rows = list(self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows)
        return int(str(rows[0]["n"].value)) if rows else 0

    def select(self, sparql: str) -> SelectRows:
        data = self._post(sparql, "application/sparql-results+json").json()
        names = tuple(data.get("head", {}).get("vars", []))
        bindings = data.get("results", {}).get("bindings", [])
        return SelectRows(names, iter([row_from_json(binding) for binding in bindings]))

    def ask(self, sparql: str) -> bool:
        return bool(self._post(sparql, "application/sparql-results+json").json().get("boolean"))

    def graph(self, sparql: str, media_type: str = "text/turtle") -> bytes:
        return self._post(sparql, media_type).content

    def close(self) -> None:
        self._client.close()


def row_from_json(binding: dict[str, dict[str, str]]) -> Row:
    """One binding of the SPARQL 1.1 Query Results JSON format as terms."""
    row: dict[str, Term] = {}
    for name, value in binding.items():
        kind = value.get("type")
        if kind == "uri":
            row[name] = Term("iri", value["value"])
        elif kind == "bnode":
            row[name] = Term("bnode", value["value"])
        else:
            row[name] = Term.literal(value["value"], value.get("datatype"), value.get("xml:lang"))
    return row
