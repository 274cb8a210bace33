"""A word index of the graph's labels, so a text search narrows to the labels that can match before the
store runs the query, instead of testing CONTAINS on every label (Oxigraph has no text index).

A named query opts in with a header line `# search: VAR contains PARAM`: VAR is only ever bound to a
skos:prefLabel or skos:altLabel value, and the query keeps its own `FILTER(CONTAINS(LCASE(...)))`. The
engine then adds `VALUES ?VAR { ... }` holding every label whose lower case contains the lower-cased PARAM.
That is a superset of what the FILTER keeps, so the answer is the same as without the index, only sooner.

Text with no white space can only occur inside one white-space-separated token of a label, so the index
looks the text up in the distinct tokens (one string, searched with `str.find`) and maps the tokens it
finds to their labels. Text with spaces is looked up by its longest piece, then checked against each label.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.terms import Term

if TYPE_CHECKING:
    from kg.store import SelectRows

LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
)
MAX_CANDIDATES = 2_000
"""More labels than this contain the text (a letter, "synthetic"): the store's own scan is no slower."""

_SEPARATOR = "\x00"
_LABELS_QUERY = (
    "SELECT DISTINCT ?label WHERE { VALUES ?p { "
    + " ".join(f"<{p}>" for p in LABEL_PREDICATES)
    + " } ?s ?p ?label FILTER (!isBlank(?label)) }"
)


@dataclass(frozen=True)
class LabelIndex:
    labels: tuple[Term, ...]
    lowered: tuple[str, ...]
    """STR(label) in lower case, as SPARQL's LCASE gives it."""
    tokens: str
    """The distinct tokens of all lowered labels, joined by NUL: one string that `str.find` scans."""
    starts: tuple[int, ...]
    """Where each token starts in `tokens`, for mapping a hit back to its token."""
    postings: tuple[tuple[int, ...], ...]
    """For each token, the labels it occurs in."""

    @classmethod
    def from_terms(cls, terms: Iterable[Term]) -> LabelIndex:
        labels: list[Term] = []
        lowered: list[str] = []
        token_ids: dict[str, int] = {}
        postings: list[list[int]] = []
        for term in terms:
            number = len(labels)
            labels.append(term)
            lower = term.value.lower()
            lowered.append(lower)
            for token in set(lower.replace(_SEPARATOR, " ").split()):  # a search never holds NUL
                token_id = token_ids.setdefault(token, len(token_ids))
                if token_id == len(postings):
                    postings.append([])
                postings[token_id].append(number)
        starts, offset = [], 0
        for token in token_ids:
            starts.append(offset)
            offset += len(token) + 1
        return cls(
            labels=tuple(labels),
            lowered=tuple(lowered),
            tokens=_SEPARATOR.join(token_ids),
            starts=tuple(starts),
            postings=tuple(tuple(p) for p in postings),
        )

    @classmethod
    def build(cls, select: Callable[[str], SelectRows]) -> LabelIndex:
        """Read every label value from a store through its `select(sparql)`."""
        return cls.from_terms(row["label"] for row in select(_LABELS_QUERY).rows)

    def containing(self, text: str, limit: int = MAX_CANDIDATES) -> list[str] | None:
        """The labels (N-Triples) whose lower case contains the lower-cased text, or None when more than
        `limit` do or the text has nothing to look up (the caller then lets the store scan)."""
        needle = text.lower()
        pieces = needle.split()
        if not pieces or _SEPARATOR in needle:
            return None
        piece = max(pieces, key=len)
        found: set[int] = set()
        position = self.tokens.find(piece)
        while position != -1:
            token = bisect.bisect_right(self.starts, position) - 1
            found.update(self.postings[token])
            if len(found) > limit:
                return None
            following = self.starts[token + 1] if token + 1 < len(self.starts) else len(self.tokens)
            position = self.tokens.find(piece, following)
        return [self.labels[n].n3() for n in sorted(found) if needle in self.lowered[n]]
