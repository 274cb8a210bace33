"""Pages of a named query whose answer grows with the graph (the links of a hub, the triples about it).

A query opts in with `# page: LIMIT_PARAM OFFSET_PARAM`, two optional integer params with defaults, and
one `LIMIT n` in its text: usually in a sub-select that picks the page's items in the store's order, so
the store stops after one page instead of sorting thousands of rows, while the outer query looks up
labels for just those items and sorts them. The engine writes the params' values into that LIMIT and an
OFFSET after it, then asks for one item past the page to learn whether a next page exists. The query's
outer part may add to the page's items (OPTIONAL) but must not filter them, or the next-page test lies.

The sub-select must give its items in the same order on every run, or pages overlap and miss items.
Single patterns and UNIONs of them do; a join may not, as Oxigraph's hash joins order their output
differently from run to run, so a page taken from a join needs a total ORDER BY in the sub-select.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.catalogue.model import PAGE_LIMIT, blank_comment_lines


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    def apply(self, sparql: str) -> str:
        """The query text with this page's LIMIT and OFFSET in place of its own LIMIT."""
        return _with_limit(sparql, self.limit, self.offset)

    def probe(self, sparql: str) -> str:
        """The same query for the one item after this page: any answer means there is a next page."""
        return _with_limit(sparql, 1, self.next_offset)


def _with_limit(sparql: str, limit: int, offset: int) -> str:
    match = PAGE_LIMIT.search(blank_comment_lines(sparql))
    if match is None:
        raise ValueError("the query has no LIMIT to page with")
    return f"{sparql[: match.start()]}LIMIT {limit} OFFSET {offset}{sparql[match.end() :]}"
