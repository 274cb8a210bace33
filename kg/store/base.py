"""What every graph store offers the rest of the service, whichever store it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import NeedlingError
from kg.terms import Row

Progress = Callable[[int, int, int], None]
"""Called while loading with (triples so far, or -1 while parsing; bytes read so far; total bytes)."""


class StoreError(NeedlingError):
    """The store could not be loaded or reached; the message says which and why."""

    code = "store_error"


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
    engine: ox.Store | None
    """The data's pyoxigraph store when it lives in this process (the sandbox forks workers from it);
    None when another process holds it (a remote endpoint runs ad-hoc queries itself)."""
    location: Path | None
    """The folder of an engine persisted on disk, whose open files forked workers keep; None otherwise."""

    def select(self, sparql: str) -> SelectRows: ...

    def raw(self, sparql: str, accept: str) -> tuple[bytes, str]:
        """Run any read query here and hand back its result serialized (body, media type)."""
        ...

    def refresh(self) -> None:
        """Read again what is derived from the whole graph (its size, its version), where others may write."""
        ...

    def ask(self, sparql: str) -> bool: ...

    def graph(self, sparql: str, media_type: str = "text/turtle") -> bytes: ...

    def close(self) -> None: ...
