"""The embedded store: one Turtle file in a pyoxigraph store, parsed into memory or opened from disk."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph as ox

from kg.store.base import Progress, SelectRows, StoreError
from kg.terms import PREFIXES, Row, Term

_PROGRESS_EVERY_BYTES = 8 * 1024 * 1024
_MEMO_TERMS = 4_096


class ProgressReader:
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
    """A pyoxigraph store holding one Turtle file: in memory, or read-only on disk (kg/store/persisted.py)."""

    static = True

    def __init__(
        self,
        store: ox.Store,
        *,
        source: Path,
        version: str,
        triples: int | None = None,
        location: Path | None = None,
    ) -> None:
        self.store = store
        self.engine: ox.Store | None = store
        self.source = source
        self.version = version
        self.triples = len(store) if triples is None else triples  # on disk, len() reads every triple
        self.location = location
        """The folder of a persisted store (its open files must stay open in forked workers); None in memory."""
        kind = (
            "persisted pyoxigraph store built from" if location else "embedded pyoxigraph store loaded from"
        )
        self.description = f"{kind} {source.name}"  # no path: /healthz is public
        self._terms: dict[object, Term] = {}
        """Terms already converted, by their pyoxigraph value: the IRIs, labels and prices most answers
        share are converted once, not in every answer (threads share it: a race converts one twice)."""

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
                reader = ProgressReader(handle, total, progress)
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
        return SelectRows(names, _oxigraph_rows(solutions, names, self._terms))

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

    def raw(self, sparql: str, accept: str) -> tuple[bytes, str]:
        """Run a read query in this process (no deadline: the service runs ad-hoc ones in its sandbox)."""
        result = self.store.query(sparql)
        if isinstance(result, ox.QueryTriples):
            rdf = ox.RdfFormat.from_media_type(accept) or ox.RdfFormat.TURTLE
            return result.serialize(format=rdf) or b"", rdf.media_type
        solutions = ox.QueryResultsFormat.from_media_type(accept) or ox.QueryResultsFormat.JSON
        return result.serialize(format=solutions) or b"", solutions.media_type

    def refresh(self) -> None:
        """Nothing to read again: only a reload changes this store."""

    def close(self) -> None:
        """Nothing to release: the store lives as long as references to it."""


def _oxigraph_rows(
    solutions: ox.QuerySolutions, names: tuple[str, ...], converted: dict[object, Term]
) -> Iterator[Row]:
    for solution in solutions:
        row: dict[str, Term] = {}
        for index, name in enumerate(names):
            value = solution[index]
            if value is not None:
                term = converted.get(value)
                if term is None:
                    term = term_from_oxigraph(value)
                    if len(converted) >= _MEMO_TERMS:
                        converted.clear()  # bounded: a long result or many new values start it over
                    converted[value] = term
                row[name] = term
        yield row
