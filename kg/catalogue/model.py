"""What a named query is: its header's fields, its parameters, and the catalogue of them all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from kg.errors import NeedlingError

_COMMENT_LINE = re.compile(r"(?m)^[ \t]*#.*$")
_FORM = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*(SELECT|CONSTRUCT|ASK|DESCRIBE)\b",
    re.IGNORECASE,
)
PAGE_LIMIT = re.compile(r"\bLIMIT\s+\d+\b", re.IGNORECASE)
"""The one `LIMIT n` of a paged query, which the engine rewrites to the page asked for."""


def blank_comment_lines(sparql: str) -> str:
    """The text with every comment line blanked to spaces (same length), so offsets still line up and a
    'WHERE {' written in a comment is never taken for the real one."""
    return _COMMENT_LINE.sub(lambda m: " " * len(m.group(0)), sparql)


def without_header(sparql: str) -> str:
    """The query text after its leading comment header: what a person reading the SPARQL wants to see."""
    lines = sparql.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), 0)
    return "\n".join(lines[start:]).strip() + "\n"


class CatalogueError(NeedlingError):
    """A query file is broken; the message names the file, the line and what is wrong."""

    code = "invalid_catalogue"


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None = None
    example: str | None = None
    description: str = ""
    rdf_class: str | None = None
    """For iri params: the class (prefixed name) a value must belong to, used when questions fill params."""
    combine: str = "any"
    """When a question names several values for this param: "any" unites the answers, "all" keeps the common ones."""
    minimum: int | None = None
    maximum: int | None = None
    """For integer params: the smallest and largest value accepted."""


@dataclass(frozen=True)
class NamedQuery:
    """One named query: its SPARQL text and the header that describes it to people and to tools."""

    name: str
    title: str
    description: str
    sparql: str
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    answer: str | None = None
    answer_class: str | None = None
    about: str | None = None
    """A class whose members a question may name as framing, with no parameter to take them ("compare X and Y")."""
    say: str | None = None
    rank: int = 0
    """Breaks ties between equally good readings of a question: the higher rank answers."""
    page: tuple[str, str] | None = None
    """(limit param, offset param) from `# page: LIMIT OFFSET`: the engine writes them into the query's one
    LIMIT, so the answer comes a page at a time (see kg.paging)."""
    search: tuple[str, str] | None = None
    """(variable, parameter) from `# search: VAR contains PARAM`: VAR only takes label values and the query
    filters it with CONTAINS(LCASE(...)) of PARAM, so the engine may narrow VAR with its label index."""
    returns: tuple[str, ...] = ()
    """The result variables code relies on, from `# returns: a, b, ...` (see kg.catalogue.contract)."""
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @cached_property
    def body(self) -> str:
        """The text after the comment header: what runs (the engine need not read the header each time) and
        what a person reading the SPARQL is shown."""
        return without_header(self.sparql)

    @cached_property
    def form(self) -> str:
        """SELECT, CONSTRUCT, ASK or DESCRIBE: the first query keyword after the header and prefixes.
        Kept once read: a request asks it four or five times, at 17 us each when it was read every time."""
        match = _FORM.match(blank_comment_lines(self.sparql))
        return match.group(1).upper() if match else "SELECT"


@dataclass(frozen=True)
class Catalogue:
    queries: dict[str, NamedQuery]
    version: str

    def __contains__(self, name: str) -> bool:
        return name in self.queries

    def get(self, name: str) -> NamedQuery | None:
        return self.queries.get(name)

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(sorted(self.queries.values(), key=lambda q: q.name))

    def without_search(self) -> Catalogue:
        """The same queries with their '# search:' lines dropped: the store then scans every label itself."""
        return Catalogue({name: replace(q, search=None) for name, q in self.queries.items()}, self.version)
